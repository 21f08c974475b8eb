"""Jobs: what they are, where they are kept, and what running one means. No database here."""
