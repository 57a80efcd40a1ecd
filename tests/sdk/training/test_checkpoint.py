import torch

from aigc_sdk.training.checkpoint import latest_checkpoint, load_checkpoint, save_checkpoint


def test_checkpoint_is_atomic_and_restores_rng(tmp_path):
    model = torch.nn.Linear(3, 2)
    opt = torch.optim.Adam(model.parameters())
    model(torch.randn(4, 3)).sum().backward()
    opt.step()
    torch.manual_seed(7)
    path = save_checkpoint(tmp_path, 5, {"m": model}, {"opt": opt}, {"data_position": 9})
    expected = torch.rand(3)
    assert not list(tmp_path.glob(".tmp-*")), "temporary folder left behind"
    assert latest_checkpoint(tmp_path) == path

    other = torch.nn.Linear(3, 2)
    other_opt = torch.optim.Adam(other.parameters())
    state = load_checkpoint(path, {"m": other}, {"opt": other_opt})
    assert state["step"] == 5 and state["data_position"] == 9
    assert torch.equal(torch.rand(3), expected)
    assert torch.equal(other.weight, model.weight)
    assert other_opt.state_dict()["state"][0]["step"] == opt.state_dict()["state"][0]["step"]


def test_keeps_only_the_newest(tmp_path):
    model = torch.nn.Linear(2, 2)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for step in (1, 2, 3):
        save_checkpoint(tmp_path, step, {"m": model}, {"opt": opt}, {}, keep=2)
    assert sorted(p.name for p in tmp_path.glob("step-*")) == ["step-0000002", "step-0000003"]
