"""A client's needs (housing, food, treatment, …): what referrals are made for."""
