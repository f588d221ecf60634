"""Every number the targets engine uses, each with its source, so a reviewer can check it against the paper.

Energies in kcal, masses in kg or g, rates in kg per week. Nothing here is tuned at run time.
"""

from __future__ import annotations

from typing import Final

from store.vocabulary import ActivityLevel, Goal, Sex

# --- Basal metabolic rate -------------------------------------------------------------------------------
# Mifflin MD, St Jeor ST et al. "A new predictive equation for resting energy expenditure in healthy
# individuals." Am J Clin Nutr 1990;51(2):241-7. REE = 10 W + 6.25 H - 5 A + s (W kg, H cm, A years),
# s = +5 for men, -161 for women. Derived on 498 adults aged 19-78.
MIFFLIN_WEIGHT_KCAL_PER_KG: Final = 10.0
MIFFLIN_HEIGHT_KCAL_PER_CM: Final = 6.25
MIFFLIN_AGE_KCAL_PER_YEAR: Final = 5.0
MIFFLIN_SEX_CONSTANT_KCAL: Final[dict[Sex, float]] = {Sex.MALE: 5.0, Sex.FEMALE: -161.0}

# Katch-McArdle: BMR = 370 + 21.6 x lean body mass (kg). McArdle WD, Katch FI, Katch VL, "Exercise
# Physiology: Energy, Nutrition and Human Performance" (after Katch & McArdle 1975, from Cunningham 1980).
# Used instead of Mifflin when body fat % is known: it needs no age or sex, lean mass carries them.
KATCH_MCARDLE_INTERCEPT_KCAL: Final = 370.0
KATCH_MCARDLE_KCAL_PER_KG_LEAN: Final = 21.6

# --- Total daily energy expenditure ---------------------------------------------------------------------
# Activity multipliers on BMR as popularised with Harris-Benedict (McArdle, Katch & Katch, op. cit.;
# the same five levels appear in most clinical calculators).
ACTIVITY_FACTORS: Final[dict[ActivityLevel, float]] = {
    ActivityLevel.SEDENTARY: 1.2,
    ActivityLevel.LIGHT: 1.375,
    ActivityLevel.MODERATE: 1.55,
    ActivityLevel.VERY_ACTIVE: 1.725,
    ActivityLevel.EXTRA_ACTIVE: 1.9,
}

# --- Goal adjustment --------------------------------------------------------------------------------------
# ~7,700 kcal per kg of body weight change (3,500 kcal/lb; Wishnofsky M, Am J Clin Nutr 1958;6:542-6).
# A static rule: it overstates long-run loss (Hall KD et al., Lancet 2011), which is why targets are
# recomputed as the weight changes.
KCAL_PER_KG_BODY_WEIGHT: Final = 7700.0
DAYS_PER_WEEK: Final = 7

# Rate caps as a fraction of body weight per week. Loss <= 1 %/week: Helms ER et al., "Evidence-based
# recommendations for natural bodybuilding contest preparation: nutrition and supplementation." JISSN
# 2014;11:20 (0.5-1 %/week to retain lean mass). Gain <= 0.5 %/week: slower gains limit fat gain (Iraki J et
# al., "Nutrition Recommendations for Bodybuilders in the Off-Season." Sports 2019;7(7):154).
MAX_LOSS_FRACTION_PER_WEEK: Final = 0.01
MAX_GAIN_FRACTION_PER_WEEK: Final = 0.005

# Daily intake floors without medical/coach supervision: NHLBI "Clinical Guidelines on the Identification,
# Evaluation, and Treatment of Overweight and Obesity in Adults" (1998) and Jensen MD et al. 2013
# AHA/ACC/TOS guideline: 1,200-1,500 kcal/day for women, 1,500-1,800 kcal/day for men.
KCAL_FLOOR: Final[dict[Sex, int]] = {Sex.FEMALE: 1200, Sex.MALE: 1500}
# A coach may lower the floor, never below a very-low-calorie diet (<= 800 kcal/day, NHLBI 1998), which
# needs medical supervision the service cannot give.
COACH_KCAL_FLOOR_MIN: Final = 800
COACH_KCAL_FLOOR_MAX: Final = 4000

# Mifflin-St Jeor was derived on adults; the deficits and floors above are adult guidance.
MIN_AGE_YEARS: Final = 18
MAX_AGE_YEARS: Final = 110

# Plausible measurements (the same bounds as the profile table's CHECK constraints).
HEIGHT_CM_RANGE: Final = (50.0, 272.0)
WEIGHT_KG_RANGE: Final = (20.0, 400.0)
BODY_FAT_PCT_RANGE: Final = (2.0, 75.0)
MEALS_PER_DAY_RANGE: Final = (2, 6)

# --- Macronutrients ---------------------------------------------------------------------------------------
# Atwater general factors, kcal per gram (Atwater & Bryant 1900; USDA Agriculture Handbook No. 74).
KCAL_PER_G_PROTEIN: Final = 4.0
KCAL_PER_G_CARBS: Final = 4.0
KCAL_PER_G_FAT: Final = 9.0

# Protein, g per kg of body weight. Jäger R et al., "ISSN position stand: protein and exercise." JISSN
# 2017;14:20 (1.4-2.0 g/kg/day; higher in a deficit) and Morton RW et al., Br J Sports Med 2018;52:376-84
# (gains plateau at ~1.6 g/kg/day). In a deficit 2.0 g/kg, the low end of the 2.0-2.2 range we use.
PROTEIN_G_PER_KG: Final[dict[Goal, float]] = {Goal.LOSE: 2.0, Goal.MAINTAIN: 1.6, Goal.GAIN: 1.6}
# The same targets per kg of lean mass, used when body fat % is known so that fat mass does not inflate
# protein. Derived: 1.6 g/kg at a reference 20 % body fat is 2.0 g/kg lean; 2.0 g/kg is 2.5 g/kg lean,
# inside Helms ER et al. 2014 (JISSN 11:20; 2.3-3.1 g/kg of fat-free mass in a deficit).
PROTEIN_G_PER_KG_LEAN: Final[dict[Goal, float]] = {Goal.LOSE: 2.5, Goal.MAINTAIN: 2.0, Goal.GAIN: 2.0}
# The least protein we trim to when energy is too short for every target (Morton 2018 plateau).
PROTEIN_MIN_G_PER_KG: Final = 1.6
PROTEIN_MIN_G_PER_KG_LEAN: Final = 2.0

# Fat: default share of energy 25 %, within the AMDR of 20-35 % (IOM, "Dietary Reference Intakes for
# Energy, Carbohydrate, Fiber, Fat, Fatty Acids, Cholesterol, Protein, and Amino Acids", 2005). Floors:
# >= 20 % of energy (AMDR lower bound) and >= 0.6 g/kg body weight (hormonal health in athletes; Helms 2014
# and Iraki 2019 recommend not going below ~0.5-0.6 g/kg).
FAT_DEFAULT_ENERGY_FRACTION: Final = 0.25
FAT_MIN_ENERGY_FRACTION: Final = 0.20
FAT_MIN_G_PER_KG: Final = 0.6

# Fiber: 14 g per 1,000 kcal, the Adequate Intake basis (IOM DRI 2005, as above).
FIBER_G_PER_1000_KCAL: Final = 14.0

# Sodium: Chronic Disease Risk Reduction intake, reduce if above 2,300 mg/day (NASEM, "Dietary Reference
# Intakes for Sodium and Potassium", 2019).
SODIUM_MAX_MG: Final = 2300

# Ketogenic diet: a very-low-carbohydrate ketogenic diet is 20-50 g carbohydrate per day (Feinman RD et al.,
# "Dietary carbohydrate restriction as the first approach in diabetes management." Nutrition 2015;31:1-13).
# We plan 25 g net carbs (total minus fiber), low in that range so ketosis is likely for most people; fiber
# comes on top from low-starch vegetables.
KETO_NET_CARBS_G: Final = 25

# --- Meals ------------------------------------------------------------------------------------------------
# Share of the day's energy and macros per meal, in whole percent (house convention: a larger lunch, snacks
# at 10 %). The names are what the plan pages show.
MEAL_SPLITS: Final[dict[int, tuple[tuple[str, int], ...]]] = {
    2: (("lunch", 50), ("dinner", 50)),
    3: (("breakfast", 30), ("lunch", 40), ("dinner", 30)),
    4: (("breakfast", 25), ("lunch", 35), ("afternoon snack", 10), ("dinner", 30)),
    5: (("breakfast", 20), ("morning snack", 10), ("lunch", 30), ("afternoon snack", 10), ("dinner", 30)),
    6: (
        ("breakfast", 20),
        ("morning snack", 10),
        ("lunch", 25),
        ("afternoon snack", 10),
        ("dinner", 25),
        ("evening snack", 10),
    ),
}

# --- Change detection -------------------------------------------------------------------------------------
# Below these a new plan is not worth the churn: 50 kcal is under the day-to-day error of food logging.
SIGNIFICANT_KCAL_CHANGE: Final = 50
SIGNIFICANT_MACRO_CHANGE_G: Final = 5
