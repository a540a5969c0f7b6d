"""A throw-away Linux guest for the tests that need a kernel of their own (tests/e2e/test_cgroup_v2.py).

Debian's kernel package (linux-image-amd64) boots in qemu with an initramfs made here from the host's
busybox (busybox-static) and the kernel's own modules. The guest's root is a tmpfs. The host's /usr and
/etc are shared into it read-only over 9p; the trees Python runs from (its installation, the virtual
environment, this package: ``bwrap.python_roots``) come as read-only ext2 disk images made here with
mke2fs, since a Python start-up looks up thousands of files and each 9p lookup costs milliseconds
under emulation. All at the host's paths. One host folder is shared writable at /tmp/share for what
the guest reports. Nothing is downloaded.
"""

import glob
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

from convstep.sandbox import bwrap

BUSYBOX = "/bin/busybox"
# PCI virtio devices; 9p over them (the system); their disks and ext2, which needs crc32c (Python's trees).
MODULES = ["virtio_pci", "9pnet_virtio", "9p", "virtio_blk", "crc32c_generic", "ext4"]
SYSTEM = ["/usr", "/etc"]
SHARE = "/tmp/share"
NINEP = "trans=virtio,version=9p2000.L,msize=512000"

INIT = """#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc && mount -t sysfs sysfs /sys && mount -t devtmpfs devtmpfs /dev || exit 1
for module in $(cat /modules); do insmod "/lib/modules/$module" || exit 1; done
ip link set lo up || exit 1
mount -t tmpfs -o mode=755 root /newroot || exit 1
cd /newroot && mkdir -p tmp run root proc sys dev && chmod 1777 tmp && ln -s usr/bin bin && ln -s usr/sbin sbin \\
    && ln -s usr/lib lib && ln -s usr/lib64 lib64 && cd / || exit 1
{mounts}
mount --move /dev /newroot/dev && mount --move /proc /newroot/proc && mount --move /sys /newroot/sys || exit 1
mkdir -p /newroot/dev/shm && mount -t tmpfs -o mode=1777 shm /newroot/dev/shm || exit 1
mount -t cgroup2 cgroup2 /newroot/sys/fs/cgroup || exit 1
exec switch_root /newroot /bin/sh -c {run}
"""
# A disk may appear a moment after its driver is loaded.
DISK = "for i in $(seq 100); do [ -b {device} ] && break; sleep 0.1; done; mkdir -p /newroot{where} && " \
       "mount -t ext2 -o ro {device} /newroot{where} || exit 1"
NINEP_MOUNT = "mkdir -p /newroot{where} && mount -t 9p -o {options} {tag} /newroot{where} || exit 1"
# After the command, PID 1 writes its exit status and powers the guest off.
RUN = "{command}; echo $? > {share}/exit-status; sync; exec busybox poweroff -f"


def kernel():
    """(vmlinuz, its modules folder) of the newest installed Debian kernel with modules."""
    found = []
    for image in glob.glob("/boot/vmlinuz-*"):
        release = image.removeprefix("/boot/vmlinuz-")
        if os.path.isfile(f"/lib/modules/{release}/modules.dep"):
            found.append((tuple(int(n) for n in re.findall(r"\d+", release)), image, Path(f"/lib/modules/{release}")))
    if not found:
        raise RuntimeError("no Debian kernel to boot: apt-get install linux-image-amd64 (python3 -m convstep test does)")
    return max(found)[1:]


def module_files(modules_dir, names):
    """The .ko files of ``names`` and of what they depend on, each after its dependencies."""
    deps = {}
    for line in (modules_dir / "modules.dep").read_text().splitlines():
        path, _, needs = line.partition(":")
        deps[path] = needs.split()
    by_name = {Path(path).name.removesuffix(".ko"): path for path in deps}
    order = []

    def add(path):
        for dependency in deps[path]:
            add(dependency)
        if path not in order:
            order.append(path)

    for name in names:
        add(by_name[name])
    return [modules_dir / path for path in order]


def python_trees():
    """The trees Python runs from that the system share does not already hold, outermost only."""
    roots = sorted(set(bwrap.python_roots()))
    roots = [root for root in roots if not any(root == s or root.startswith(s + "/") for s in SYSTEM)]
    return [root for root in roots if not any(root.startswith(other + "/") for other in roots)]


def disk_image(tree, path):
    """An ext2 image of ``tree`` at ``path`` (a sparse file with room to spare)."""
    size, entries = 0, 0
    for folder, dirs, files in os.walk(tree):
        entries += len(dirs) + len(files)
        size += sum(os.lstat(os.path.join(folder, name)).st_size for name in files)
    blocks = (2 * size + 8192 * entries) // 4096 + 16384
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext2", "-b", "4096", "-N", str(2 * entries + 1024),
                    "-d", tree, str(path), str(blocks)], check=True)


def initramfs(path, mounts, command):
    """Write the guest's initramfs to ``path``: busybox, the modules, an init that runs the
    ``mounts`` lines and then ``command`` as root, its output in SHARE/output."""
    stage = Path(path).with_suffix(".d")
    for folder in ("bin", "lib/modules", "proc", "sys", "dev", "newroot"):
        (stage / folder).mkdir(parents=True)
    shutil.copy(BUSYBOX, stage / "bin" / "busybox")
    modules = module_files(kernel()[1], MODULES)
    for module in modules:
        shutil.copy(module, stage / "lib" / "modules")
    (stage / "modules").write_text("\n".join(module.name for module in modules) + "\n")
    env = "PATH=/usr/sbin:/usr/bin HOME=/root LANG=C.UTF-8 PYTHONDONTWRITEBYTECODE=1"
    run = RUN.format(command=f"env -i {env} {shlex.join(command)} > {SHARE}/output 2>&1", share=SHARE)
    (stage / "init").write_text(INIT.format(mounts="\n".join(mounts), run=shlex.quote(run)))
    (stage / "init").chmod(0o755)
    files = subprocess.run(["find", "."], cwd=stage, capture_output=True, text=True, check=True).stdout
    with open(path, "wb") as archive:
        subprocess.run([BUSYBOX, "cpio", "-o", "-H", "newc"], cwd=stage, input=files.encode(), stdout=archive,
                       stderr=subprocess.DEVNULL, check=True)
    shutil.rmtree(stage)


def accelerator():
    """KVM where the CPU shows hardware virtualization to this kernel, else qemu's emulator (TCG).
    A machine that is itself a guest may have /dev/kvm without it (a paravirtual KVM such as PVM,
    which runs only kernels built for it: Debian's hangs there)."""
    flags = Path("/proc/cpuinfo").read_text()
    if os.access("/dev/kvm", os.R_OK | os.W_OK) and re.search(r"^flags\s*:.*\b(vmx|svm)\b", flags, re.M):
        return "kvm"
    return "tcg"


def boot(command, work, trees=(), memory_mb=2048, cpus=2, timeout=3600):
    """Boot a guest that runs ``command`` as root, with ``work``/share (made here) at SHARE and the
    host's ``trees`` read-only besides the system's and Python's; return (exit status of the command
    or None, its output, the console). qemu is always stopped, and its disk images deleted."""
    work = Path(work)
    share = work / "share"
    share.mkdir(exist_ok=True)
    args = ["qemu-system-x86_64", "-accel", accelerator(), "-cpu", "max", "-m", str(memory_mb), "-smp", str(cpus),
            "-nographic", "-no-reboot", "-nic", "none", "-kernel", kernel()[0], "-initrd", str(work / "initramfs"),
            "-append", "console=ttyS0 panic=-1 quiet"]
    mounts = {}  # guest path: the init's line mounting it (a folder before what is mounted inside it)
    for number, tree in enumerate(python_trees()):
        image = work / f"disk{number}.img"
        disk_image(tree, image)
        args += ["-drive", f"file={image},format=raw,if=virtio,readonly=on"]
        mounts[tree] = DISK.format(device=f"/dev/vd{'abcdefghij'[number]}", where=tree)
    for number, (host, where) in enumerate([(t, t) for t in [*SYSTEM, *map(str, trees)]] + [(share, SHARE)]):
        args += ["-virtfs", f"local,path={host},mount_tag=fs{number},security_model=none,multidevs=remap"
                 + (",readonly=on" if where != SHARE else "")]
        options = NINEP + (",cache=loose,ro" if where != SHARE else "")
        mounts[where] = NINEP_MOUNT.format(options=options, tag=f"fs{number}", where=where)
    initramfs(work / "initramfs", [mounts[where] for where in sorted(mounts)], command)
    console = work / "console.log"
    with open(console, "wb") as log:
        qemu = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        try:
            qemu.wait(timeout)
        finally:
            qemu.kill()
            qemu.wait()
            for image in work.glob("disk*.img"):
                image.unlink()  # a gigabyte or two each
    status, output = share / "exit-status", share / "output"
    return (int(status.read_text()) if status.exists() else None,
            output.read_text(errors="replace") if output.exists() else "",
            console.read_text(errors="replace"))
