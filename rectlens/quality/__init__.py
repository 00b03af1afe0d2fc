"""List quality (问题清单质量): copied measures, vague descriptions, too few problems."""
