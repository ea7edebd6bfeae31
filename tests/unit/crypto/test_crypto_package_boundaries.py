"""`crypto` stays a leaf: it imports none of our packages and reads no environment or settings."""

import ast
from pathlib import Path

import pytest

CRYPTO = Path(__file__).resolve().parents[3] / "crypto"
OUR_PACKAGES = {"api", "devices", "documents", "engine", "forms"}
SOURCES = sorted(CRYPTO.glob("*.py"))


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    return names | {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_crypto_modules_import_none_of_our_other_packages(path):
    assert not {name.split(".")[0] for name in imported_modules(path)} & OUR_PACKAGES


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_crypto_modules_read_no_environment(path):
    tree = ast.parse(path.read_text())
    names = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    names |= {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    assert not names & {"environ", "environb", "getenv", "putenv"}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_the_pure_python_gmssl_is_never_imported_by_crypto(path):
    assert not any(name == "gmssl" or name.startswith("gmssl.") for name in imported_modules(path))
