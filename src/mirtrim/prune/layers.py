"""Per-layer-type operations on unit dimensions: count, slice outputs/inputs, incoming weights.

Recurrent layers (RNN, GRU, LSTM) are addressed per stacked layer: a unit is one hidden unit,
replicated over the gate blocks (4 for LSTM, 3 for GRU) of ``weight_ih``/``weight_hh``/biases, and
over both directions of a bidirectional layer. ``nn.GRU`` has one ``hidden_size`` for all its
layers, so every layer of one recurrent module must keep the same number of units.
"""

from __future__ import annotations

import torch
from torch import nn

CONV_TYPES = (nn.Conv1d, nn.Conv2d, nn.Conv3d)
CONV_TRANSPOSE_TYPES = (nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)
RNN_TYPES = (nn.RNN, nn.GRU, nn.LSTM)
FEEDFORWARD_TYPES = CONV_TYPES + CONV_TRANSPOSE_TYPES + (nn.Linear,)
PRODUCER_TYPES = FEEDFORWARD_TYPES + RNN_TYPES
# per-unit statistics; GroupNorm is absent on purpose: it normalises several channels together
NORM_TYPES = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.LayerNorm,
              nn.InstanceNorm1d, nn.InstanceNorm2d, nn.InstanceNorm3d)
WEIGHTED_TYPES = FEEDFORWARD_TYPES + (nn.RNNBase,)
GATES = {nn.LSTM: 4, nn.GRU: 3, nn.RNN: 1}


class CouplingError(ValueError):
    """The coupling graph does not describe the model; the message names the offending layer."""


def check_supported(module: nn.Module, name: str, layer: int | None) -> None:
    if not isinstance(module, PRODUCER_TYPES):
        raise CouplingError(f"layer '{name}' is a {type(module).__name__}; trimming supports "
                            f"{', '.join(t.__name__ for t in PRODUCER_TYPES)}")
    if is_depthwise(module):
        raise CouplingError(f"layer '{name}' is a depthwise convolution: its channels are its input's units, so "
                            f"list it among the norms (per-channel layers) of the group that feeds it")
    if getattr(module, "groups", 1) != 1:
        raise CouplingError(f"layer '{name}' is a grouped convolution ({module.groups} groups), which trimming "
                            f"does not support; put it on the boundary")
    if isinstance(module, FEEDFORWARD_TYPES):
        try:
            weight_norm_of(module)
        except CouplingError as err:
            raise CouplingError(f"layer '{name}': {err}") from None
    if isinstance(module, RNN_TYPES):
        if getattr(module, "proj_size", 0):
            raise CouplingError(f"layer '{name}' is an LSTM with proj_size, which trimming does not support")
        if layer is None or not 0 <= layer < module.num_layers:
            raise CouplingError(f"recurrent layer '{name}' must be addressed with layer=0..{module.num_layers - 1}")
    elif layer is not None:
        raise CouplingError(f"layer '{name}' is not recurrent; it takes no layer index")


def _directions(module: nn.RNNBase) -> list[str]:
    return ["", "_reverse"] if module.bidirectional else [""]


def _gate_rows(module: nn.RNNBase, kept: torch.Tensor) -> torch.Tensor:
    n = module.hidden_size
    return torch.cat([kept + g * n for g in range(GATES[type(module)])])


def _replace(module: nn.Module, name: str, tensor: torch.Tensor) -> None:
    old = getattr(module, name)
    if isinstance(old, nn.Parameter):
        setattr(module, name, nn.Parameter(tensor.contiguous(), requires_grad=old.requires_grad))
    else:
        module._buffers[name] = tensor.contiguous()


def unit_count(module: nn.Module, layer: int | None = None) -> int:
    if isinstance(module, RNN_TYPES):
        return getattr(module, f"weight_hh_l{layer}").shape[1]
    if isinstance(module, nn.Linear):
        return module.out_features
    return module.out_channels


def input_width(module: nn.Module, layer: int | None = None) -> int:
    if isinstance(module, RNN_TYPES):
        return getattr(module, f"weight_ih_l{layer or 0}").shape[1]
    if isinstance(module, nn.Linear):
        return module.in_features
    return module.in_channels


def incoming_l1(module: nn.Module, layer: int | None = None) -> torch.Tensor:
    """L1 norm of each unit's incoming weights over all fan-in dimensions (and gates, directions)."""
    if isinstance(module, RNN_TYPES):
        n, total = unit_count(module, layer), 0
        for d in _directions(module):
            for kind in ("ih", "hh"):
                w = getattr(module, f"weight_{kind}_l{layer}{d}").detach().abs()
                total = total + w.reshape(GATES[type(module)], n, -1).sum(dim=(0, 2))
        return total
    w = module.weight.detach()
    if isinstance(module, CONV_TRANSPOSE_TYPES):
        w = w.transpose(0, 1)
    return w.abs().reshape(w.shape[0], -1).sum(1)


def slice_out(module: nn.Module, kept: torch.Tensor, layer: int | None = None) -> None:
    if isinstance(module, RNN_TYPES):
        rows = _gate_rows(module, kept)
        for d in _directions(module):
            for name in (f"weight_ih_l{layer}{d}", f"bias_ih_l{layer}{d}", f"bias_hh_l{layer}{d}"):
                if getattr(module, name, None) is not None:
                    _replace(module, name, getattr(module, name).detach().index_select(0, rows))
            hh = f"weight_hh_l{layer}{d}"
            _replace(module, hh, getattr(module, hh).detach().index_select(0, rows).index_select(1, kept))
        return  # hidden_size is set once every layer is sliced (see finish_recurrent)
    if isinstance(module, CONV_TRANSPOSE_TYPES):
        _replace(module, "weight", module.weight.detach().index_select(1, kept))
    else:
        slice_weight_rows(module, kept)
    if module.bias is not None:
        _replace(module, "bias", module.bias.detach().index_select(0, kept))
    if isinstance(module, nn.Linear):
        module.out_features = len(kept)
    else:
        module.out_channels = len(kept)


def slice_in(module: nn.Module, kept_inputs: torch.Tensor, layer: int | None = None) -> None:
    if isinstance(module, RNN_TYPES):
        layer = layer or 0
        for d in _directions(module):
            name = f"weight_ih_l{layer}{d}"
            _replace(module, name, getattr(module, name).detach().index_select(1, kept_inputs))
        if layer == 0:
            module.input_size = len(kept_inputs)
        return
    if isinstance(module, CONV_TRANSPOSE_TYPES):
        _replace(module, "weight", module.weight.detach().index_select(0, kept_inputs))
    else:
        slice_weight_columns(module, kept_inputs)
    if isinstance(module, nn.Linear):
        module.in_features = len(kept_inputs)
    else:
        module.in_channels = len(kept_inputs)


def finish_recurrent(module: nn.RNNBase, name: str) -> None:
    """Set ``hidden_size`` after slicing; every stacked layer must have kept the same count."""
    counts = {unit_count(module, layer) for layer in range(module.num_layers)}
    if len(counts) != 1:
        raise CouplingError(f"recurrent layer '{name}' would keep different hidden sizes per layer {sorted(counts)}; "
                            f"{type(module).__name__} has one hidden_size for all layers")
    module.hidden_size = counts.pop()
    module._init_flat_weights()


def slice_norm(module: nn.Module, kept: torch.Tensor) -> None:
    for name in ("weight", "bias", "running_mean", "running_var"):
        tensor = getattr(module, name, None)
        if tensor is not None:
            _replace(module, name, tensor.detach().index_select(0, kept))
    if isinstance(module, nn.LayerNorm):
        module.normalized_shape = (*module.normalized_shape[:-1], len(kept))
    else:
        module.num_features = len(kept)


def norm_width(module: nn.Module) -> int:
    if isinstance(module, nn.LayerNorm):
        return module.normalized_shape[-1]
    return module.num_features


def is_depthwise(module: nn.Module) -> bool:
    """A depthwise convolution: one filter per input channel, so channel i out reads channel i in."""
    return (isinstance(module, CONV_TYPES) and module.groups > 1 and module.groups == module.in_channels
            == module.out_channels)


def is_channelwise(module: nn.Module) -> bool:
    """Layers that act on each unit separately and are sliced with their group's producer."""
    return isinstance(module, NORM_TYPES + (nn.PReLU,)) or is_depthwise(module)


def channelwise_width(module: nn.Module) -> int:
    if is_depthwise(module):
        return module.groups
    if isinstance(module, nn.PReLU):
        return module.num_parameters
    return norm_width(module)


def slice_channelwise(module: nn.Module, kept: torch.Tensor) -> None:
    if is_depthwise(module):
        slice_weight_rows(module, kept)
        if module.bias is not None:
            _replace(module, "bias", module.bias.detach().index_select(0, kept))
        module.in_channels = module.out_channels = module.groups = len(kept)
    elif isinstance(module, nn.PReLU):
        if module.num_parameters > 1:  # a single shared slope stays as it is
            _replace(module, "weight", module.weight.detach().index_select(0, kept))
            module.num_parameters = len(kept)
    else:
        slice_norm(module, kept)


def zero_channelwise(module: nn.Module, removed: torch.Tensor) -> None:
    """Make removed units output exactly 0 (their input is already 0): a norm's gamma and beta, a
    depthwise filter's bias (and filter). PReLU maps 0 to 0 by itself."""
    if isinstance(module, nn.PReLU):
        return
    if is_depthwise(module):
        zero_weight_rows(module, removed)
    elif module.weight is not None:
        module.weight[removed.to(module.weight.device)] = 0
    if module.bias is not None:
        module.bias[removed.to(module.bias.device)] = 0


def weight_norm_of(module: nn.Module):
    """(holder, g name, v name) of a ``parametrizations.weight_norm``-ed ``weight``, None for a plain
    weight. Only dim=0 (per output) is handled; the deprecated ``nn.utils.weight_norm`` is refused."""
    from torch.nn.utils import parametrize

    if parametrize.is_parametrized(module, "weight"):
        plist = module.parametrizations.weight
        dims = [getattr(p, "dim", None) for p in plist]
        if len(plist) != 1 or type(plist[0]).__name__ != "_WeightNorm":
            raise CouplingError(f"{type(module).__name__}: its weight has a parametrization other than weight_norm "
                                f"({[type(p).__name__ for p in plist]}), which trimming does not support")
        holder, g, v, dim = plist, "original0", "original1", dims[0]
    else:
        if any(type(h).__name__ == "WeightNorm" for h in module._forward_pre_hooks.values()):
            raise CouplingError(f"{type(module).__name__} uses the deprecated torch.nn.utils.weight_norm, whose "
                                "computed weight cannot be copied; apply torch.nn.utils.parametrizations.weight_norm "
                                "instead (or torch.nn.utils.remove_weight_norm before trimming)")
        return None
    if dim != 0 or isinstance(module, CONV_TRANSPOSE_TYPES):
        raise CouplingError(f"{type(module).__name__}: weight_norm over dim {dim}"
                            f"{' of a transposed conv' if isinstance(module, CONV_TRANSPOSE_TYPES) else ''} is not "
                            "supported (only per-output dim=0 of Conv and Linear)")
    return holder, g, v


def slice_weight_rows(module: nn.Module, kept: torch.Tensor) -> None:
    """Keep output rows ``kept`` of ``weight`` (dim 0), through weight norm's g and v if present."""
    wn = weight_norm_of(module)
    if wn is None:
        _replace(module, "weight", module.weight.detach().index_select(0, kept))
        return
    holder, g, v = wn
    for name in (g, v):
        _replace(holder, name, getattr(holder, name).detach().index_select(0, kept))


def slice_weight_columns(module: nn.Module, kept: torch.Tensor) -> None:
    """Keep input columns ``kept`` (dim 1). Under weight norm, g is rescaled by |v kept| / |v| so that
    every kept weight keeps its value: w = g v / |v| before and after."""
    wn = weight_norm_of(module)
    if wn is None:
        _replace(module, "weight", module.weight.detach().index_select(1, kept))
        return
    holder, g, v = wn
    old_v = getattr(holder, v).detach()
    new_v = old_v.index_select(1, kept)
    scale = new_v.flatten(1).norm(dim=1) / old_v.flatten(1).norm(dim=1).clamp_min(1e-30)  # per output row
    _replace(holder, g, getattr(holder, g).detach() * scale.reshape(getattr(holder, g).shape))
    _replace(holder, v, new_v)


def zero_weight_rows(module: nn.Module, removed: torch.Tensor) -> None:
    """Zero output rows of ``weight``: through g under weight norm (w = g v / |v|)."""
    wn = weight_norm_of(module)
    target = module.weight if wn is None else getattr(wn[0], wn[1])
    target.index_fill_(0, removed.to(target.device), 0)
