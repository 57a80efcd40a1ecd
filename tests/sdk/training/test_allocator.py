import subprocess
import sys
import textwrap

import pytest

from aigc_sdk.training import allocator

# A few conv training steps; prints the minor page faults of 10 steps after warm-up.
WORKLOAD = textwrap.dedent("""
    import resource, sys, torch
    torch.set_num_threads(1)
    if sys.argv[1] == "keep":
        from aigc_sdk.training.allocator import keep_freed_memory
        assert keep_freed_memory()
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 64, 3, padding=1), torch.nn.LeakyReLU(),
                              torch.nn.Conv2d(64, 1, 3, padding=1))
    opt = torch.optim.Adam(net.parameters())
    def steps(n):
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        for _ in range(n):
            loss = net(torch.randn(64, 1, 28, 28)).square().mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
        return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    steps(5)
    print(steps(10))
""")


def _faults(mode: str) -> int:
    out = subprocess.run([sys.executable, "-c", WORKLOAD, mode], capture_output=True,
                         text=True, check=True, env={"PATH": "/usr/bin:/bin"})
    return int(out.stdout.split()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc mallopt is Linux-only")
def test_training_steps_stop_faulting_pages_back_in():
    default, kept = _faults("default"), _faults("keep")
    # glibc's defaults return activation memory each step: 1.6-4 x 10^5 faults over 10
    # steps here; kept heap memory measured 0 to 6k (heap growth late in warm-up)
    assert default > 10_000
    assert kept < default / 10


def test_user_allocator_is_left_alone(monkeypatch):
    monkeypatch.setattr(allocator, "_applied", None)
    monkeypatch.setenv("LD_PRELOAD", "/usr/lib/libjemalloc.so.2")
    assert allocator.keep_freed_memory() is False
