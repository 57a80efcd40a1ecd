import pytest
import torch

from aigc_sdk.training.augment import diff_augment, parse_policy
from aigc_sdk.training.losses import d_loss, g_loss, r1_penalty


@pytest.mark.parametrize("shape", [(4, 1, 16, 16), (2, 1, 8, 8, 8)])
def test_diffaugment_keeps_shape_and_gradient(shape):
    x = (torch.rand(shape) * 2 - 1).requires_grad_(True)
    y = diff_augment(x, parse_policy("translation,cutout,brightness,contrast"))
    assert y.shape == x.shape
    y.sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0


def test_cutout_blanks_a_box():
    x = torch.ones(3, 1, 16, 16)
    y = diff_augment(x, ["cutout"])
    zeros = (y == 0).flatten(1).sum(1)
    assert torch.all(zeros == 64)  # an 8x8 box in each sample


def test_unknown_policy_is_an_error():
    with pytest.raises(ValueError, match="unknown DiffAugment"):
        parse_policy("translation,colour")


def test_losses_and_r1():
    real, fake = torch.tensor([2.0, 0.5]), torch.tensor([-2.0, 0.0])
    assert d_loss("hinge", real, fake).item() == pytest.approx(0.0 + 0.25 + 0.0 + 0.5)
    assert g_loss("hinge", fake).item() == pytest.approx(1.0)
    x = torch.randn(5, 3, requires_grad=True)
    w = torch.tensor([1.0, 2.0, 2.0])
    # D(x) = x.w has gradient w everywhere: |w|^2 = 9
    assert r1_penalty(x, x @ w).item() == pytest.approx(9.0)
