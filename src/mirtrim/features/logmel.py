"""Log-mel spectrogram of the drums/onsets models (the paper's ``drums.py`` recipe, no torchaudio)."""

from __future__ import annotations

import numpy as np
import torch

from mirtrim.utils.numba_cache import import_librosa

SR = 22050
N_FFT = 2048
HOP = 1024
N_MELS = 64
N_FRAMES = 50
FMIN = 20.0
FMAX = SR // 4.0  # 5512 Hz, as in the paper


def mel_filterbank() -> torch.Tensor:
    librosa = import_librosa()

    fb = librosa.filters.mel(sr=SR, n_fft=N_FFT, n_mels=N_MELS, fmin=FMIN, fmax=FMAX)
    return torch.from_numpy(fb).float()


def logmel(audio: np.ndarray | torch.Tensor, fb: torch.Tensor | None = None) -> torch.Tensor:
    """(batch, samples) -> (batch, 64, 50): log(mel power + 1e-5) of the first 50 frames.

    ``center=True`` with zero padding matches librosa >= 0.10, so edge frames agree with it.
    """
    y = torch.as_tensor(audio, dtype=torch.float32)
    if y.ndim == 1:
        y = y[None]
    needed = (N_FRAMES - 1) * HOP
    if y.shape[-1] < needed:
        raise ValueError(f"audio has {y.shape[-1]} samples; the log-mel input needs at least {needed} at {SR} Hz")
    fb = mel_filterbank() if fb is None else fb
    spec = torch.stft(y, n_fft=N_FFT, hop_length=HOP, window=torch.hann_window(N_FFT), center=True,
                      pad_mode="constant", return_complex=True).abs() ** 2
    return torch.log(fb @ spec + 1e-5)[..., :N_FRAMES]


def onset_frames(times: np.ndarray) -> np.ndarray:
    """Frame index of each onset (the paper's int(t / duration * n_frames)), -1 beyond the input."""
    frames = np.floor(np.asarray(times) * SR / HOP).astype(np.int64)
    return np.where(frames < N_FRAMES, frames, -1)
