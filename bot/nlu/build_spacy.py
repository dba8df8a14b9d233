"""Builds the blank English spaCy pipeline that `SpacyNLP` loads (config.yml: models/spacy_blank_en).

    python -m bot.nlu.build_spacy [OUTPUT_DIR]

No download: `spacy.blank("en")` is the tokenizer and language data shipped inside spaCy itself.
SpacyNLP refuses an in-memory pipeline, so it is saved to disk. Rasa fingerprints SpacyNLP by the
path only, so if this pipeline ever changes, change the output folder name as well.
"""
from __future__ import annotations

import sys
from pathlib import Path

DEFAULT_OUTPUT = Path("models") / "spacy_blank_en"


def build(output: Path = DEFAULT_OUTPUT) -> Path:
    import spacy

    nlp = spacy.blank("en")
    nlp.meta["name"] = "blank_en"
    nlp.meta["version"] = "1.0.0"
    nlp.meta["description"] = "Blank English pipeline (tokenizer only) for the Light Touch Assistant"
    output.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(output)
    return output


def main(argv: list[str]) -> int:
    out = build(Path(argv[0]) if argv else DEFAULT_OUTPUT)
    print(f"Saved a blank English spaCy pipeline to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
