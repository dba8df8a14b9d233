"""Free-text understanding for officers' messages: pure functions, no Rasa, no clock, no I/O.

Each module reads one kind of fact out of a message and says where it found it (character offsets),
so the Rasa components in `bot.nlu` can turn the results into entities and the `ltr` command can
read the same phrases:

- `money.parse_money`        amounts with period, VAT status and "over N years"
- `duration.parse_duration`  contract term and extensions ("4+1+1", "36 months")
- `dates.parse_date`         dates and what happened then ("we advertised in January 2025")
- `facts`                    buyer type, cross-border interest, VAT status, yes/no
- `services.ServiceMatcher`  the knowledge base's service catalogue and bare CPV codes
- `value.parse_value_phrase` one value phrase -> the Case `value` dict
"""
