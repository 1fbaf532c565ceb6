"""Record linkage: records that name a party but carry no code, matched to the subjects of the
registry with Splink, proposed for a person's review, and linked only on acceptance."""
