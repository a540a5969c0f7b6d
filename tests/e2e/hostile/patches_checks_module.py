"""Class 2: replaces convstep.checks in sys.modules and through builtins.__import__ by a module whose checks
all pass."""
import builtins
import sys
import types

fake = types.ModuleType("convstep.checks")
fake.call = lambda fn, *args, **kwargs: fn(*args, **{k: v for k, v in kwargs.items() if k not in ("case", "hint")})
for name in ["check_shape", "check_close", "check_unchanged", "check_scalar", "check_equal"]:
    setattr(fake, name, lambda *args, **kwargs: None)
fake.unpack = lambda result, names, case: result
fake.agrees = lambda *args, **kwargs: True
sys.modules["convstep.checks"] = fake
real_import = builtins.__import__
builtins.__import__ = lambda name, *args, **kwargs: fake if name == "convstep.checks" else real_import(name, *args, **kwargs)
conv_forward = zeros_forward
