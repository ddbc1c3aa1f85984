"""Pure rules of micro-projects: the status flow, the card's shape, its entity tag."""
