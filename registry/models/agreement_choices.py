"""The fixed lists an agreement chooses from, each value with its plain-English label.

Values are stored; labels are shown. Legal wording follows UK GDPR and the Data
Protection Act 2018 (DPA 2018) as the ICO's guidance words them.
"""

from __future__ import annotations

KINDS = {
    "two_way": "Two-way sharing of personal data",
    "one_way": "One-way disclosure of personal data",
    "joint_controller": "Joint controllers (UK GDPR Article 26)",
    "controller_processor": "Controller and processor (UK GDPR Article 28)",
    "non_personal": "Non-personal data (anonymised, aggregate or open data)",
}

STATUSES = {
    "draft": "Draft",
    "awaiting_approval": "Awaiting approval",
    "approved": "Approved",
    "awaiting_signatures": "Awaiting signatures",
    "active": "Active",
    "terminated": "Terminated",
    "expired": "Expired",
}

# how a proposed variation closed
VARIATION_OUTCOMES = {
    "in_force": "Approved, signed and now in force",
    "withdrawn": "Withdrawn",
    "ended": "Ended with the agreement",
}

PARTY_ROLES = {
    "controller": "Controller",
    "joint_controller": "Joint controller",
    "processor": "Processor",
    "provider": "Provides data",
    "recipient": "Receives data",
}

ART6_BASES = {
    "consent": "Article 6(1)(a) consent",
    "contract": "Article 6(1)(b) contract",
    "legal_obligation": "Article 6(1)(c) legal obligation",
    "vital_interests": "Article 6(1)(d) vital interests",
    "public_task": "Article 6(1)(e) public task",
    "legitimate_interests": "Article 6(1)(f) legitimate interests",
}

ART9_CONDITIONS = {
    "a": "Article 9(2)(a) explicit consent",
    "b": "Article 9(2)(b) employment, social security and social protection",
    "c": "Article 9(2)(c) vital interests",
    "d": "Article 9(2)(d) not-for-profit bodies",
    "e": "Article 9(2)(e) made public by the data subject",
    "f": "Article 9(2)(f) legal claims or judicial acts",
    "g": "Article 9(2)(g) reasons of substantial public interest",
    "h": "Article 9(2)(h) health or social care",
    "i": "Article 9(2)(i) public health",
    "j": "Article 9(2)(j) archiving, research and statistics",
}

# Article 9 conditions that need a DPA 2018 Schedule 1 condition as well (DPA 2018 s10)
ART9_NEEDS_SCHEDULE1 = frozenset({"b", "g", "h", "i", "j"})

SCHEDULE1_CONDITIONS = {
    "p1_1": "Schedule 1 Part 1 para 1: employment, social security and social protection",
    "p1_2": "Schedule 1 Part 1 para 2: health or social care purposes",
    "p1_3": "Schedule 1 Part 1 para 3: public health",
    "p1_4": "Schedule 1 Part 1 para 4: research",
    "p2_6": "Schedule 1 Part 2 para 6: statutory and government purposes",
    "p2_8": "Schedule 1 Part 2 para 8: equality of opportunity or treatment",
    "p2_10": "Schedule 1 Part 2 para 10: preventing or detecting unlawful acts",
    "p2_11": "Schedule 1 Part 2 para 11: protecting the public",
    "p2_16": "Schedule 1 Part 2 para 16: support for individuals with a particular disability or medical condition",
    "p2_18": "Schedule 1 Part 2 para 18: safeguarding of children and individuals at risk",
    "p2_19": "Schedule 1 Part 2 para 19: safeguarding of economic well-being of certain individuals",
    "p2_24": "Schedule 1 Part 2 para 24: disclosure to elected representatives",
}

# Schedule 1 conditions that need an appropriate policy document: Part 1 para 1 (Sch 1 para 1(1)(b))
# and the substantial public interest conditions of Part 2 (Sch 1 para 5). The registry asks for
# one wherever the law may need it; the IG officer confirms.
SCHEDULE1_NEEDS_POLICY = frozenset({"p1_1"} | {k for k in SCHEDULE1_CONDITIONS if k.startswith("p2_")})

CRIMINAL_CONDITIONS = {
    "official_authority": "Article 10: processing under official authority",
    "p3_29": "Schedule 1 Part 3 para 29: consent",
    "p3_30": "Schedule 1 Part 3 para 30: protecting an individual’s vital interests",
    "p3_33": "Schedule 1 Part 3 para 33: legal claims",
    "p3_36": "Schedule 1 Part 3 para 36: extension of Part 2 conditions (substantial public interest)",
    "p2_conditions": "A Schedule 1 Part 2 condition, as extended by Part 3 para 36",
}

DATA_CATEGORIES = {
    "personal": "Personal data",
    "special_category": "Special category data",
    "criminal_offence": "Criminal offence data",
    "pseudonymised": "Pseudonymised data",
    "aggregate": "Aggregate data",
    "non_personal": "Non-personal data",
}

IDENTIFIABILITY = {
    "identifiable": "Identifiable (names and identifiers)",
    "pseudonymised": "Pseudonymised (identifiers replaced; re-identifiable by a key holder)",
    "anonymised": "Anonymised (no one can be identified)",
    "aggregate": "Aggregate (counts and statistics only)",
}

FREQUENCIES = {
    "one_off": "Once only",
    "daily": "Daily",
    "weekly": "Weekly",
    "monthly": "Monthly",
    "quarterly": "Quarterly",
    "annually": "Once a year",
    "as_needed": "When needed, case by case",
}

DIRECTIONS = {
    "one_way": "One way, from the providing parties to the receiving parties",
    "two_way": "Both ways between the parties",
    "many_way": "Between all the parties",
}

OPT_OUT = {
    "applies": "Applies: opted-out patients’ data is removed",
    "does_not_apply": "Does not apply (for example, not confidential patient information)",
    "not_health": "Not relevant: no health or care data",
}

DPIA_OUTCOMES = {
    "proceed": "Proceed: risks are acceptable",
    "proceed_with_measures": "Proceed with the measures it sets out",
    "consult_ico": "High residual risk: consult the ICO before sharing",
}

# DPIA screening questions (ICO: when a DPIA is required). Any "yes" means a DPIA is needed.
DPIA_SCREENING = {
    "large_scale_special": "Does it involve special category or criminal offence data on a large scale?",
    "vulnerable_people": "Does it involve data about children or other vulnerable people?",
    "matching": "Does it match or combine data sets from different sources?",
    "new_technology": "Does it use new technologies or novel ways of processing?",
    "denial_of_service": "Could it be used to decide whether someone gets a service, opportunity or benefit?",
    "systematic_monitoring": "Does it involve systematic monitoring of people?",
}

REVIEW_OUTCOMES = {
    "continue": "Continue unchanged",
    "amend": "Amend the agreement",
    "terminate": "Terminate the agreement",
}

# The statutory gateways list is managed in the database (seeded by migration 0003).
