"""The text layer of a synthetic agreement: each version's text assembled from its
paragraphs, then the work, its versions and one passage per paragraph, whose quote is
the text between its offsets (code points, end exclusive)."""

import hashlib

from api.core.layout import SOURCE_TEXTS_DIR
from api.synth.draft import Block, Draft, Version
from api.synth.turtle import PREFIXES, en, integer, lit, xsd_date


def write_text_layer(draft: Draft) -> dict[str, str]:
    """Assemble each version's text, then write the work, versions and passages."""
    agreement = draft.iri("agreement", "agreement")
    draft.text_layer.add(
        agreement,
        ("a", "sg:Declaration" if draft.document_kind != "Memorandum" else "sg:Agreement"),
        ("rdfs:label", en(f"{draft.title} (synthetic agreement {draft.number:05d})")),
        ("dcterms:title", en(draft.title)),
        ("sg:hasVersion", [draft.iri("version", v.name) for v in draft.versions]),
        ("sg:issuedAt", draft.meeting),
    )
    sources = {}
    for version in draft.versions:
        text, spans = _assemble(version)
        file_name = f"{draft.tag}-{version.name}.txt"
        sources[file_name] = text
        _version(draft, version, agreement, file_name, text)
        for block, start in spans:
            _passage(draft, version, block, start)
    return sources


def _version(draft: Draft, version: Version, agreement: str, file_name: str, text: str) -> None:
    """A text version: its source file, with the checksum and length of its text."""
    final = version.name == "final"
    draft.text_layer.add(
        draft.iri("version", version.name),
        ("a", "sg:TextVersion"),
        ("rdfs:label", en(f"{draft.title}, {version.name} text ({draft.tag})")),
        ("dcterms:title", en(version.title)),
        ("dcterms:date", xsd_date(draft.when) if final else None),
        ("sg:versionOf", agreement),
        ("sg:issuedBy", None if final else draft.party(draft.lead)),
        ("sg:sourceFile", lit(f"{SOURCE_TEXTS_DIR}/{file_name}")),
        ("sg:sha256", lit(hashlib.sha256(text.encode("utf-8")).hexdigest())),
        ("sg:characterCount", integer(len(text))),
        ("dcterms:language", lit("en")),
    )


def _passage(draft: Draft, version: Version, block: Block, start: int) -> None:
    """The passage of one paragraph, its selectors, and the draft passage it
    corresponds to (in the final version of a two-version agreement)."""
    end = start + len(block.text)
    passage = draft.iri("passage", f"{version.name}-{block.key}")
    full = PREFIXES["passage"] + passage.split(":", 1)[1]
    other = [v for v in draft.versions if v is not version and v.name == "draft"]
    corresponds = [
        draft.iri("passage", f"draft-{block.key}")
        for v in other
        if any(b.key == block.key for b in v.blocks)
    ]
    draft.text_layer.add(
        passage,
        ("a", "sg:Passage"),
        ("sg:inVersion", draft.iri("version", version.name)),
        ("sg:quote", lit(block.text)),
        ("sg:startOffset", integer(start)),
        ("sg:endOffset", integer(end)),
        ("sg:correspondsTo", corresponds),
        ("oa:hasSelector", [f"<{full}#position>", f"<{full}#quote>"]),
    )
    draft.text_layer.add(
        f"<{full}#position>",
        ("a", "oa:TextPositionSelector"),
        ("oa:start", integer(start)),
        ("oa:end", integer(end)),
    )
    draft.text_layer.add(
        f"<{full}#quote>", ("a", "oa:TextQuoteSelector"), ("oa:exact", lit(block.text))
    )


def _assemble(version: Version) -> tuple[str, list[tuple[Block, int]]]:
    """The version's text (title, then paragraphs) and where each paragraph starts."""
    text = version.title + "\n"
    spans = []
    for block in version.blocks:
        text += "\n"
        spans.append((block, len(text)))
        text += block.text + "\n"
    return text, spans
