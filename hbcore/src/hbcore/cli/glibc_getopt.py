"""glibc's getopt(3), as a C program's loop calling it to the end sees its arguments: short
options only (no long ones, no optional arguments), operands permuted after the options unless
POSIXLY_CORRECT, and getopt's complaints worded as glibc prints them. cl_status
(:mod:`hbcore.cli.cl_status`) parses its sub-commands' options with it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Option:
    """One result of getopt: an option letter and its argument, or ``?`` and getopt's own
    complaint."""

    letter: str
    argument: str | None = None
    complaint: str = ""


def getopt(
    program: str, arguments: Sequence[str], optstring: str, posix: bool = False
) -> tuple[list[Option], list[str]]:
    """glibc getopt(3) over ``arguments`` as a loop calling it to the end would see them: the
    options in order, then the operands. Operands are moved after the options unless ``posix``,
    where the first one ends the options; ``--`` ends them too. ``x:`` in ``optstring`` takes
    an argument, attached (``-pkeepalive``) or the next word."""
    options: list[Option] = []
    operands: list[str] = []
    index = 0
    while index < len(arguments):
        word = arguments[index]
        index += 1
        if word == "--":
            operands += arguments[index:]
            break
        if word == "-" or not word.startswith("-"):
            if posix:
                operands += arguments[index - 1 :]
                break
            operands.append(word)
            continue
        position = 1
        while position < len(word):
            letter = word[position]
            position += 1
            found = optstring.find(letter) if letter != ":" else -1
            if found < 0:
                options.append(Option("?", complaint=f"{program}: invalid option -- '{letter}'"))
            elif optstring[found + 1 : found + 2] != ":":
                options.append(Option(letter))
            elif position < len(word):
                options.append(Option(letter, word[position:]))
                break
            elif index < len(arguments):
                options.append(Option(letter, arguments[index]))
                index += 1
                break
            else:
                complaint = f"{program}: option requires an argument -- '{letter}'"
                options.append(Option("?", complaint=complaint))
                break
    return options, operands
