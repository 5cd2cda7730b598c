"""Schema assembly, typed context, DataLoaders, limits and Relay helpers."""
