"""Erasure of a note's words in synthesis (note.erased): statements, quotes, embeddings, correction examples."""
