"""codeer: from interview transcripts to statistics."""

__version__ = "0.1.0"
