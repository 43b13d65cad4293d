"""Screens of the coding workbench: pickers, prompts, help and the review views."""
