"""The nutrition engine: daily targets now, meal plans on top of the knowledge base later."""
