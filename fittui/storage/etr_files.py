"""The practice's own expected-path parameters on disk: written once fitted, removed on reset.

The model and its file format live in the domain (``domain/etr.py``); writing and removing
the user's file is storage's work, like every other write fittui makes: atomic, private.
"""

from __future__ import annotations

from pathlib import Path

from fittui.domain.etr import Parameters, parameters_toml, user_file
from fittui.storage.journal import write_file_atomically
from fittui.storage.locations import make_private_dir


def save_parameters(params: Parameters, config_dir: Path) -> Path:
    """Write the practice's parameters (0600, atomically) so every later run uses them."""
    make_private_dir(config_dir)
    path = user_file(config_dir)
    write_file_atomically(path, parameters_toml(params).encode("utf-8"))
    return path


def reset_parameters(config_dir: Path) -> bool:
    """Go back to the default model; False when it was already in use."""
    path = user_file(config_dir)
    if not path.exists():
        return False
    path.unlink()
    return True
