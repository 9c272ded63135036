"""Subcommands of ``replylab``: one module per command (see ``study.cli``)."""
