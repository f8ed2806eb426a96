"""What our management commands share."""

from django.core.management.base import BaseCommand


class TranslatedHelpCommand(BaseCommand):
    """A command whose `help` is a lazy translation (Bokmål msgid).

    argparse formats the description with `re.sub`, which refuses Django's lazy
    string, so `manage.py <command> --help` crashed. The help is made a plain string
    when the parser is built, in the language the command runs in.
    """

    def create_parser(self, prog_name, subcommand, **kwargs):
        self.help = str(self.help)
        return super().create_parser(prog_name, subcommand, **kwargs)
