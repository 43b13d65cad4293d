"""The coding workbench (``codeer code``): a Textual app over ``codeer.session``."""
