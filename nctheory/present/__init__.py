"""Presentation: strict JSON (:mod:`.serialize`), figures (:mod:`.plots`) and the Markdown/HTML report
(:mod:`.report`)."""
