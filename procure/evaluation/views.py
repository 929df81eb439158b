"""Views of the evaluation workflow."""
