"""Free-text understanding for officers' messages: pure functions, no Rasa, no clock, no I/O.

`reader.read_message` reads a whole message into the facts of a case, using the others; each says where it
found what it found (character offsets):

- `money.parse_money`        amounts with period, VAT status and "over N years"
- `value_reader`             every amount's role (yearly, total, one-off, priced extension, per lot, part, other)
                             composed into the Case `value`, or a question; `parse_value_phrase` for the CLI
- `duration.parse_duration`  contract term and extensions ("4+1+1", "36 months")
- `dates.parse_date`         dates and periods (financial quarters and years, "Apr 27", seasons) and what
                             happened then ("TN Apr 27", "we advertised in January 2025")
- `facts`                    buyer type, cross-border interest, VAT status, yes/no
- `services`                 the knowledge base's service catalogue and CPV codes (via `bot.ltr.match`)
"""
