"""The command line's own checks: arguments are refused before any index or model is touched."""

from __future__ import annotations

import pytest

from api.cli import build_parser


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["search", "防災", "--date-from", "2024-13-45"], "expected a date as YYYY-MM-DD"),
        (["who", "防災", "--date-to", "yesterday"], "expected a date as YYYY-MM-DD"),
        (["who", "防災", "--limit", "0"], "at least 1"),
        (["who", "防災", "--limit", "-1"], "at least 1"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(argv)
    assert exc.value.code == 2 and message in capsys.readouterr().err


def test_dates_are_read_as_calendar_dates():
    args = build_parser().parse_args(["search", "防災", "--date-from", "20230801", "--date-to", "2023-08-31"])
    assert (args.date_from, args.date_to) == ("2023-08-01", "2023-08-31")
