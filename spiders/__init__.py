"""One thin spider per shipped region; the registry row says where it crawls."""
