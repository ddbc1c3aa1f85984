"""The public page as residents get it (a logic package: no SQL, no HTTP): HTML, Atom, and the
words in each language."""
