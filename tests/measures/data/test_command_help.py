"""Every management command of ours answers `--help`: a lazy translated help once
crashed argparse (measures/management/base.py)."""

import pytest
from django.core.management import get_commands, load_command_class

OUR_APPS = ("measures", "partners", "rusplan")
COMMANDS = sorted(
    (name, app) for name, app in get_commands().items() if app in OUR_APPS
)


def test_the_list_of_our_commands_is_not_empty():
    assert {"generate_demo_data", "load_bergen_plans"} <= {n for n, _a in COMMANDS}


@pytest.mark.parametrize(("name", "app"), COMMANDS)
def test_help_is_printable(name, app):
    command = load_command_class(app, name)

    text = command.create_parser("manage.py", name).format_help()

    assert f"manage.py {name}" in text
    assert str(command.help).split()[0] in text
