"""Charges for places wasted: raised with a no-show mark or a late cancellation, waived by
a coordinator, and listed and exported for invoicing."""
