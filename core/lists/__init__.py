"""From candidate pools to recommendation lists: rules, selection, bands, review
decisions, groups, list health, comparisons and the price check."""
