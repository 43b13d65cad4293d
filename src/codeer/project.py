"""A project folder, loaded on demand: codebook, transcripts and each coder's codings."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from codeer.codebook import Codebook, load_codebook
from codeer.codings import CodingsFile
from codeer.errors import ProjectError, UsageError
from codeer.paths import ProjectPaths
from codeer.store import Store
from codeer.transcript import Transcript, load_transcript


class Project:
    """Entry point of the core: everything a command needs from a project folder."""

    def __init__(self, root: str | Path = ".") -> None:
        self.paths = ProjectPaths.of(root)
        if not self.paths.root.is_dir():
            raise ProjectError(
                "project folder does not exist",
                path=self.paths.root,
                hint="pass --project PATH pointing at a folder with codebooks/ and interviews/",
            )
        self.store = Store(self.paths)

    @cached_property
    def codebook(self) -> Codebook:
        return load_codebook(self.paths.codebook_files())

    @cached_property
    def transcripts(self) -> dict[str, Transcript]:
        """Every transcript by id; an unreadable one raises TranscriptError naming it."""
        out: dict[str, Transcript] = {}
        for path in self.paths.transcript_files():
            t = load_transcript(path)
            if t.id in out:
                raise ProjectError(
                    f"transcript id '{t.id}' is used twice (also {out[t.id].path})",
                    path=path,
                    line=2,
                    hint="give each transcript a unique id",
                )
            out[t.id] = t
        return out

    def transcript(self, transcript_id: str) -> Transcript:
        try:
            return self.transcripts[transcript_id]
        except KeyError:
            raise ProjectError(
                f"no transcript with id '{transcript_id}'",
                path=self.paths.interviews,
                hint="see the ids with 'codeer validate'",
            ) from None

    def cases(self) -> list[str]:
        return sorted({t.case for t in self.transcripts.values()})

    def codings(self, coder: str, transcript_id: str) -> CodingsFile | None:
        return self.store.load(coder, transcript_id)

    def all_codings(self, coder: str) -> dict[str, CodingsFile]:
        """The coder's codings on every transcript that has some."""
        out: dict[str, CodingsFile] = {}
        for tid in self.transcripts:
            cf = self.store.load(coder, tid)
            if cf is not None:
                out[tid] = cf
        return out

    def require_coder(self, coder: str) -> None:
        """Fail clearly when a coder has no codings here (a typo would give an empty table)."""
        coders = self.store.coders()
        if coder not in coders:
            raise UsageError(
                f"no codings by coder '{coder}'",
                path=self.paths.codings,
                hint=f"coders in this project: {', '.join(coders) or 'none'}",
            )
