"""Notes as the pages count them: note.submitted / note.revised / note.analyzed -> notes, concerns."""
