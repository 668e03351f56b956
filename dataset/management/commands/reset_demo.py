"""Put the demo cases back as the project ships them, overwriting editors' changes to those records."""

from .load_demo import Command as LoadDemo


class Command(LoadDemo):
    """Explicit and separate from `load_demo`: each overwritten record keeps its previous versions in its history."""

    help = "Reset the demo cases to the shipped version (editors' changes to them are overwritten; history kept)."
    reset = True
