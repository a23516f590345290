"""autograder.grading.roles: layers found by role (type, parameter shapes, order of first use).

A2 loads whole models in one strict order (layers_in_use_order, signature, state_by_role,
load_by_role); A4 matches roles recorded as dicts, with a few layers found by a name the stub
fixes and nn.Transformer loaded whole (layers_used_by, role_of, match_roles, load_roles)."""

import pytest
import torch
from torch import nn

from autograder.grading import roles


class Net(nn.Module):
    """Declared out of order: the forward pass uses first, second, third (which is a library module)."""

    def __init__(self):
        super().__init__()
        self.third = nn.Transformer(d_model=4, nhead=2, num_encoder_layers=1, num_decoder_layers=1,
                                    dim_feedforward=6, batch_first=True)
        self.second = nn.Linear(5, 4)
        self.first = nn.Linear(3, 5)
        self.spare = nn.Linear(3, 5)

    def forward(self, x):
        h = self.second(torch.relu(self.first(x)))
        return self.third(h, h)


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.b = nn.Linear(4, 2)
        self.a = nn.Linear(3, 4)

    def forward(self, x):
        return self.b(torch.tanh(self.a(x)))


def test_whole_model_in_use_order_round_trips():
    torch.manual_seed(0)
    x = torch.randn(2, 3)
    source, target = Mlp(), Mlp()
    layers = roles.layers_in_use_order(source, x)
    assert [type(m).__name__ for m in layers] == ["Linear", "Linear"] and layers[0] is source.a
    sig = roles.signature(layers)
    assert sig == [["Linear", [["weight", [4, 3]], ["bias", [4]]]], ["Linear", [["weight", [2, 4]], ["bias", [2]]]]]
    roles.load_by_role(roles.layers_in_use_order(target, x), roles.state_by_role(layers), sig)
    assert torch.equal(target(x), source(x))
    with pytest.raises(roles.RoleMismatch, match="layer 1 in the order of use"):
        roles.load_by_role(roles.layers_in_declaration_order(target), roles.state_by_role(layers), sig)


def test_units_count_a_library_module_once_and_list_unused_layers_last():
    net = Net()
    x = torch.randn(2, 3, 3)
    used, unused = roles.layers_used_by(net, lambda: net(x), composites=("Transformer",))
    assert used == [net.first, net.second, net.third] and unused == [net.spare]
    assert len(roles.units(net)) > 4          # without composites, its inside counts layer by layer
    role = roles.role_of(net.third, composites=("Transformer",))
    assert role["type"] == "Transformer" and role["name"] is None and len(role["params"]) > 10
    assert "parameter tensors" in roles.describe(net.third, composites=("Transformer",))


def test_load_roles_matches_by_type_shapes_and_use_not_by_name():
    torch.manual_seed(1)
    x = torch.randn(2, 3, 3)
    source = Net().eval()
    call = lambda: source(x)  # noqa: E731
    used, unused = roles.layers_used_by(source, call, ("Transformer",))
    recorded = [roles.role_of(u, composites=("Transformer",)) for u in used + unused]
    tensors = [p.detach().clone() for u in used + unused for _, p in roles.unit_parameters(u, ("Transformer",))]

    target = Net().eval()
    target.first, target.spare = target.spare, target.first         # other names, same roles
    found = roles.load_roles(target, lambda: target(x), recorded, tensors, composites=("Transformer",))
    assert found[0] is target.first and found[2] is target.third
    assert torch.allclose(target(x), source(x))


def test_a_named_role_is_found_by_its_name_and_mismatches_say_where():
    torch.manual_seed(2)
    x = torch.randn(2, 3)
    net = Mlp()
    recorded = [roles.role_of(net.b, "b"), roles.role_of(net.a)]
    tensors = [torch.zeros(2, 4), torch.ones(2), torch.zeros(4, 3), torch.zeros(4)]
    roles.load_roles(net, lambda: net(x), recorded, tensors, where="models/mlp.py, Mlp")
    assert torch.equal(net(x), torch.ones(2, 2))
    with pytest.raises(roles.RoleMismatch, match=r"no layer named 'c'.*Where to look: models/mlp.py, Mlp"):
        roles.load_roles(net, lambda: net(x), [dict(recorded[0], name="c"), recorded[1]], tensors,
                         where="models/mlp.py, Mlp")
    wide = [{"name": None, "type": "Linear", "params": [["weight", [9, 3]], ["bias", [9]]]}, recorded[0]]
    with pytest.raises(roles.RoleMismatch, match=r"needs a Linear \(weight \(9, 3\), bias \(9,\)\)"):
        roles.load_roles(net, lambda: net(x), wide, [torch.zeros(9, 3), torch.zeros(9)] + tensors[:2])
    with pytest.raises(roles.RoleMismatch, match="uses a layer the specification does not have"):
        roles.match_roles(net, lambda: net(x), [recorded[0]])
