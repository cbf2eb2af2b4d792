"""What users read never points at things they do not have.

Users read flyte_nb's messages, its docstrings (help(), the IDE) and its ``#:`` attribute
docs. None of them may cite the project's internal seed documents (``seed 004``) or paths
outside the repository (``../shared/tools/...``): say what the user needs instead. Plain
``#`` comments are for maintainers and are not scanned; tests may keep such references.
"""

from __future__ import annotations

import os
import re
import tokenize
from pathlib import Path

import flyte_nb

PACKAGE = Path(flyte_nb.__file__).parent
FORBIDDEN = re.compile(r"seed \d|\.\./shared|shared/tools", re.IGNORECASE)


def forbidden_texts(path: Path) -> list[str]:
    """Each string literal (docstrings included) or ``#:`` doc comment of ``path`` that
    matches :data:`FORBIDDEN`, as ``file:line: text``."""
    found = []
    with path.open() as handle:
        for token in tokenize.generate_tokens(handle.readline):
            user_text = token.type == tokenize.STRING or (
                token.type == tokenize.COMMENT and token.string.startswith("#:")
            )
            if user_text and FORBIDDEN.search(token.string):
                found.append(f"{os.path.relpath(path, PACKAGE.parent)}:{token.start[0]}: {token.string[:120]}")
    return found


def test_no_message_or_docstring_cites_a_seed_or_a_path_outside_the_repository():
    found = [hit for path in sorted(PACKAGE.rglob("*.py")) for hit in forbidden_texts(path)]
    assert found == [], "reword these to say what the user needs:\n" + "\n".join(found)


def test_the_scan_finds_them_in_messages_docstrings_and_doc_comments(tmp_path: Path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        '"""As seed 004 says."""\n'
        "#: the limit (Seed 12)\n"
        "LIMIT = 1  # seed 004: a maintainer's comment, not scanned\n"
        'raise ValueError("start one: bash ../shared/tools/docker-engine.sh")\n'
        'OK = "seeds, seeded, seed_42"\n'
    )
    assert [hit.split(":", 2)[1] for hit in forbidden_texts(sample)] == ["1", "2", "4"]
