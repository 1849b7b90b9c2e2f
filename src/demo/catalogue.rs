//! The kinds of service the demo directory offers, the taxonomy that classifies
//! them and the eligibility rules they use.

/// A kind of service: its name, what it is, who it is for and how it is tagged.
pub struct ServiceKind {
    pub name: &'static str,
    pub description: &'static str,
    /// Index into [`TAXONOMY`] children: (top-level term, child term).
    pub term: (usize, usize),
    pub ages: (Option<i32>, Option<i32>),
    /// Index into [`ELIGIBILITIES`], if the kind has a usual rule.
    pub eligibility: Option<usize>,
    /// Share of services of this kind that charge (percent).
    pub paid_percent: u32,
}

const fn kind(
    name: &'static str,
    description: &'static str,
    term: (usize, usize),
    ages: (Option<i32>, Option<i32>),
    eligibility: Option<usize>,
    paid_percent: u32,
) -> ServiceKind {
    ServiceKind {
        name,
        description,
        term,
        ages,
        eligibility,
        paid_percent,
    }
}

pub const SERVICE_KINDS: &[ServiceKind] = &[
    kind(
        "Food Bank",
        "Emergency food parcels for people in crisis, usually with a referral voucher from a local agency.",
        (0, 0),
        (None, None),
        None,
        0,
    ),
    kind(
        "Community Lunch",
        "A hot two-course lunch in good company, with tea and a chat afterwards.",
        (0, 1),
        (None, None),
        Some(0),
        70,
    ),
    kind(
        "Cookery Course",
        "Learn to cook healthy meals on a budget in a friendly six-week course.",
        (0, 2),
        (Some(16), None),
        None,
        40,
    ),
    kind(
        "Debt Advice",
        "Free, confidential advice on debts, arrears and dealing with creditors.",
        (1, 0),
        (Some(18), None),
        Some(3),
        0,
    ),
    kind(
        "Benefits Advice",
        "Help to check what you are entitled to and to make or appeal a claim.",
        (1, 1),
        (Some(16), None),
        None,
        0,
    ),
    kind(
        "Money Management Workshop",
        "Practical sessions on budgeting, saving and cutting household bills.",
        (1, 2),
        (Some(16), None),
        None,
        10,
    ),
    kind(
        "Mental Health Drop-in",
        "Talk to a trained listener about how you are feeling, no appointment needed.",
        (2, 0),
        (Some(16), None),
        None,
        0,
    ),
    kind(
        "Walking Group",
        "Gentle guided walks for all abilities, finishing with a cuppa.",
        (2, 1),
        (None, None),
        None,
        5,
    ),
    kind(
        "Sexual Health Clinic",
        "Testing, contraception and advice in a confidential clinic.",
        (2, 2),
        (Some(13), None),
        None,
        0,
    ),
    kind(
        "Stop Smoking Service",
        "One-to-one support and free nicotine replacement to help you quit.",
        (2, 3),
        (Some(12), None),
        None,
        0,
    ),
    kind(
        "Parent and Toddler Group",
        "Play, songs and stories for under-fives and a welcoming space for parents and carers.",
        (3, 0),
        (Some(0), Some(5)),
        Some(1),
        50,
    ),
    kind(
        "Holiday Activities",
        "Free activities and a healthy meal during the school holidays.",
        (3, 1),
        (Some(5), Some(16)),
        None,
        20,
    ),
    kind(
        "Youth Club",
        "A safe place for young people to meet friends, play sport and try new things.",
        (3, 2),
        (Some(11), Some(19)),
        Some(2),
        30,
    ),
    kind(
        "Housing Advice",
        "Advice on renting, repairs, eviction and finding somewhere to live.",
        (4, 0),
        (Some(16), None),
        None,
        0,
    ),
    kind(
        "Homeless Outreach",
        "Street outreach, hot drinks and help into accommodation for people sleeping rough.",
        (4, 1),
        (Some(18), None),
        Some(3),
        0,
    ),
    kind(
        "Warm Space",
        "A warm, welcoming place to spend time in winter, with free hot drinks and Wi-Fi.",
        (4, 2),
        (None, None),
        None,
        0,
    ),
    kind(
        "Employment Support",
        "Help with CVs, applications and interviews, and links to local employers.",
        (5, 0),
        (Some(16), None),
        None,
        0,
    ),
    kind(
        "English Language Classes",
        "ESOL classes for adults at every level, from beginner to advanced.",
        (5, 1),
        (Some(16), None),
        None,
        30,
    ),
    kind(
        "Digital Skills Sessions",
        "Get online with confidence: email, video calls, online forms and staying safe.",
        (5, 2),
        (None, None),
        None,
        15,
    ),
    kind(
        "Befriending Service",
        "Regular visits or calls from a volunteer befriender for people who feel lonely.",
        (6, 0),
        (Some(18), None),
        Some(0),
        0,
    ),
    kind(
        "Dementia Café",
        "A relaxed café for people living with dementia and the people who care for them.",
        (6, 1),
        (None, None),
        Some(4),
        20,
    ),
    kind(
        "Carers Support Group",
        "Peer support, information and a break for unpaid carers of any age.",
        (6, 2),
        (None, None),
        Some(4),
        0,
    ),
    kind(
        "Domestic Abuse Support",
        "Confidential support, safety planning and refuge referrals for anyone affected by domestic abuse.",
        (7, 0),
        (Some(16), None),
        None,
        0,
    ),
    kind(
        "Bereavement Support",
        "One-to-one and group support for people coping with the death of someone close.",
        (7, 1),
        (None, None),
        None,
        0,
    ),
    kind(
        "Men's Shed",
        "A community workshop where men share skills, make things and chat.",
        (6, 1),
        (Some(18), None),
        Some(5),
        25,
    ),
];

/// The two-level "Category" taxonomy: top-level terms with their children.
pub const TAXONOMY: &[(&str, &[&str])] = &[
    ("Food", &["Food banks", "Community meals", "Cooking skills"]),
    ("Money", &["Debt advice", "Benefits", "Budgeting"]),
    (
        "Health and wellbeing",
        &[
            "Mental health",
            "Physical activity",
            "Sexual health",
            "Stopping smoking",
        ],
    ),
    (
        "Children and families",
        &["Early years", "Holiday activities", "Young people"],
    ),
    (
        "Housing",
        &["Housing advice", "Homelessness", "Warm spaces"],
    ),
    (
        "Work and learning",
        &["Employment support", "English language", "Digital skills"],
    ),
    (
        "Social connection",
        &["Befriending", "Peer groups", "Carers"],
    ),
    ("Safety and support", &["Domestic abuse", "Bereavement"]),
];

/// Shared eligibility rules: (description, minimum age, maximum age).
pub const ELIGIBILITIES: &[(&str, Option<i32>, Option<i32>)] = &[
    ("Over 60s only", Some(60), None),
    (
        "Children aged 0 to 5 with a parent or carer",
        Some(0),
        Some(5),
    ),
    (
        "Young people aged 11 to 19 (up to 25 with a disability)",
        Some(11),
        Some(25),
    ),
    ("Adults 18 and over", Some(18), None),
    ("Unpaid carers of any age", None, None),
    ("Men aged 18 and over", Some(18), None),
    ("Residents of the local authority area", None, None),
    ("Referral from a GP or support worker needed", None, None),
];

pub const ORGANISATION_FORMS: &[&str] = &[
    "Community Trust",
    "Citizens Advice",
    "Community Association",
    "Foundation",
    "Housing Association",
    "Council for Voluntary Service",
    "Family Centre",
    "Mind",
    "Age Concern",
    "Community Interest Company",
    "Food Network",
    "Youth Trust",
    "Carers Centre",
    "Partnership",
    "Charitable Trust",
];

pub const FIRST_NAMES: &[&str] = &[
    "Amira", "Ben", "Chloe", "Daniel", "Eilidh", "Fatima", "George", "Hannah", "Imran", "Jess",
    "Kwame", "Laura", "Mohammed", "Niamh", "Oliver", "Priya", "Rhys", "Sophie", "Tom", "Zara",
];

pub const SURNAMES: &[&str] = &[
    "Ahmed", "Brown", "Campbell", "Davies", "Evans", "Green", "Hughes", "Jones", "Khan", "Lewis",
    "Murphy", "Patel", "Roberts", "Singh", "Taylor", "Walker", "Williams", "Wilson", "Wright",
    "Young",
];
