"""Rasa 3.6 NLU components for the assistant: thin wrappers around the parsers in `bot.text`.

One component per module; refer to them in config.yml by module path, after SpacyNLP/SpacyTokenizer:

    - name: bot.nlu.money_extractor.MoneyExtractor        # money, amount, period, vat
    - name: bot.nlu.duration_extractor.DurationExtractor  # duration
    - name: bot.nlu.date_extractor.DateExtractor          # commencement, commenced
    - name: bot.nlu.service_extractor.ServiceExtractor    # service, cpv
    - name: bot.nlu.facts_extractor.FactsExtractor        # buyer, cross_border

Entity values are described in each module's docstring. Importing this package loads nothing.
"""
