"""Domain logic of the support bot: knowledge data and pure rules, free of Rasa."""
