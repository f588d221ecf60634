"""Every number the training engine uses, each with its source, so a reviewer can check it.

Sets are weekly *hard* sets (taken within ~0–4 reps of failure); durations in seconds or minutes as named;
loads in kg. "Our choice" marks a value no paper fixes, with the reasoning next to it.
"""

from __future__ import annotations

from typing import Final

from store.vocabulary import Equipment, Experience
from tools.training.schemas import MuscleGroup, SlotRole, TrainingGoal

# --- Weekly volume ----------------------------------------------------------------------------------------
# Major groups: Schoenfeld BJ, Ogborn D, Krieger JW. "Dose-response relationship between weekly resistance
# training volume and increases in muscle mass." J Sports Sci 2017;35(11):1073-82 (>= 10 sets/week per
# muscle beats fewer); Baz-Valle E et al. "A Systematic Review of The Effects of Different Resistance
# Training Volumes on Muscle Hypertrophy." J Hum Kinet 2022;81:199-210 (12-20 sets/week for trained
# lifters). Beginners 8-12: they respond to less (Ratamess NA et al., ACSM position stand "Progression models
# in resistance training for healthy adults", Med Sci Sports Exerc 2009;41(3):687-708: novices 1-3 sets per
# exercise, 2-3 full-body days). Small groups (arms, calves, abs) get most of their work from compounds;
# their ranges are our choice, about half to two thirds of the major ranges.
MAJOR_GROUPS: Final = (
    MuscleGroup.CHEST,
    MuscleGroup.BACK,
    MuscleGroup.SHOULDERS,
    MuscleGroup.QUADS,
    MuscleGroup.HAMSTRINGS,
    MuscleGroup.GLUTES,
)
MINOR_GROUPS: Final = (MuscleGroup.BICEPS, MuscleGroup.TRICEPS, MuscleGroup.CALVES, MuscleGroup.ABS)
WEEKLY_SETS_MAJOR: Final[dict[Experience, tuple[int, int]]] = {
    Experience.BEGINNER: (8, 12),
    Experience.INTERMEDIATE: (10, 20),
    Experience.ADVANCED: (10, 20),
}
WEEKLY_SETS_MINOR: Final[dict[Experience, tuple[int, int]]] = {
    Experience.BEGINNER: (4, 10),
    Experience.INTERMEDIATE: (6, 14),
    Experience.ADVANCED: (6, 16),
}
# Where in its range a group's weekly target sits (0 = bottom, 1 = top). Our choice: start low and let
# progression add volume; focus muscles (the user asked) go high in the range.
RANGE_FILL: Final[dict[Experience, float]] = {
    Experience.BEGINNER: 0.25,
    Experience.INTERMEDIATE: 0.4,
    Experience.ADVANCED: 0.5,
}
FOCUS_RANGE_FILL: Final = 0.8

# Fractional set counting: a set counts 1 for its primary muscles and 0.5 for its secondary ones. Pelland JC
# et al. "The Resistance Training Dose-Response: Meta-Regressions Exploring the Effects of Weekly Volume and
# Frequency on Muscle Hypertrophy and Strength Gain." SportRxiv 2024 (fractional counting fit best).
PRIMARY_SET_WEIGHT: Final = 1.0
SECONDARY_SET_WEIGHT: Final = 0.5

# Per-session ceiling per muscle group (fractional sets): Pelland et al. 2024 (op. cit.) found hypertrophy
# per session plateauing around ~11 fractional sets; beyond it, volume is better spread over more days.
MAX_GROUP_SETS_PER_SESSION: Final = 10.0

# Sets per exercise per session: ACSM 2009 (op. cit.) prescribes 1-3 sets for novices and multiple sets
# (3-6) for advanced; we keep 2 as the minimum worth setting up for, 5 for main lifts, 4 otherwise.
MIN_SETS_PER_EXERCISE: Final = 2
MAX_SETS_PER_EXERCISE: Final[dict[SlotRole, int]] = {
    SlotRole.MAIN: 5,
    SlotRole.SECONDARY: 4,
    SlotRole.ACCESSORY: 4,
}
# Our choice: more than 8 exercises in one session is rarely practical.
MAX_EXERCISES_PER_SESSION: Final = 8

# --- Loading: reps and rest by goal and role ---------------------------------------------------------------
# Repetition ranges: strength 3-6, hypertrophy 6-15, endurance 15+ (ACSM 2009, op. cit.; Schoenfeld BJ,
# Grgic J et al. "Loading Recommendations for Muscle Strength, Hypertrophy, and Local Endurance: A
# Re-Examination of the Repetition Continuum." Sports 2021;9(2):32). Accessories of a strength block train in
# the hypertrophy range (ACSM 2009: assistance exercises at moderate loads). General health: ACSM's
# 8-12 reps (Garber CE et al., ACSM position stand "Quantity and quality of exercise...", Med Sci Sports
# Exerc 2011;43(7):1334-59), higher for single-joint work.
REP_RANGES: Final[dict[TrainingGoal, dict[SlotRole, tuple[int, int]]]] = {
    TrainingGoal.STRENGTH: {
        SlotRole.MAIN: (3, 6),
        SlotRole.SECONDARY: (4, 6),
        SlotRole.ACCESSORY: (6, 10),
    },
    TrainingGoal.HYPERTROPHY: {
        SlotRole.MAIN: (6, 10),
        SlotRole.SECONDARY: (8, 12),
        SlotRole.ACCESSORY: (10, 15),
    },
    TrainingGoal.ENDURANCE: {
        SlotRole.MAIN: (15, 20),
        SlotRole.SECONDARY: (15, 20),
        SlotRole.ACCESSORY: (15, 25),
    },
    TrainingGoal.GENERAL_HEALTH: {
        SlotRole.MAIN: (8, 12),
        SlotRole.SECONDARY: (8, 12),
        SlotRole.ACCESSORY: (12, 15),
    },
}
# Rest between sets, seconds. ACSM 2009 (op. cit.): 3-5 min for heavy multi-joint strength work, 1-2 min
# for moderate-load hypertrophy work, < 90 s (30-60 s) for endurance. Schoenfeld BJ et al. "Longer interset
# rest periods enhance muscle strength and hypertrophy in resistance-trained men." J Strength Cond Res
# 2016;30(7):1805-12 (3 min beat 1 min): compounds get at least 2 min in hypertrophy blocks.
REST_SECONDS: Final[dict[TrainingGoal, dict[SlotRole, int]]] = {
    TrainingGoal.STRENGTH: {SlotRole.MAIN: 180, SlotRole.SECONDARY: 150, SlotRole.ACCESSORY: 90},
    TrainingGoal.HYPERTROPHY: {SlotRole.MAIN: 120, SlotRole.SECONDARY: 120, SlotRole.ACCESSORY: 90},
    TrainingGoal.ENDURANCE: {SlotRole.MAIN: 60, SlotRole.SECONDARY: 60, SlotRole.ACCESSORY: 45},
    TrainingGoal.GENERAL_HEALTH: {SlotRole.MAIN: 90, SlotRole.SECONDARY: 90, SlotRole.ACCESSORY: 60},
}

# Target reps in reserve (RIR) on working sets, (compound, isolation). Helms ER et al. "Application of the
# Repetitions in Reserve-Based Rating of Perceived Exertion Scale for Resistance Training." Strength Cond J
# 2016;38(4):42-9 (RPE = 10 - RIR); Refalo MC et al. "Influence of Resistance Training Proximity-to-Failure
# on Skeletal Muscle Hypertrophy." Sports Med 2023;53:649-65 (0-3 RIR grow muscle alike). Beginners stay
# further from failure while they learn the lifts; compounds one rep further than isolation (fatigue and
# technique breakdown cost more there).
TARGET_RIR: Final[dict[Experience, tuple[int, int]]] = {
    Experience.BEGINNER: (3, 2),
    Experience.INTERMEDIATE: (2, 1),
    Experience.ADVANCED: (2, 1),
}
# The first week of a plan is one rep easier (an introduction week; our choice).
INTRO_WEEK_EXTRA_RIR: Final = 1

# Planned deload: every 5th week of a plan (a 4 + 1 block) halves the sets and adds 2 RIR. Bell L et al.
# "Integrating Deloading into Strength and Physique Sports Training Programmes: An International Delphi
# Consensus Approach." Sports Med Open 2023;9:87 (deloads every 4-8 weeks, volume cut ~50 %).
DELOAD_EVERY_WEEKS: Final = 5
DELOAD_SET_FACTOR: Final = 0.5
DELOAD_EXTRA_RIR: Final = 2

# --- Session time -------------------------------------------------------------------------------------------
# A repetition at moderate tempo takes ~3 s (1-2 s up, 1-2 s down: ACSM 2009, op. cit.), plus ~10 s to
# set up a set (our choice). Moving to the next exercise and loading it: 60 s (our choice).
SECONDS_PER_REP: Final = 3.0
SET_SETUP_SECONDS: Final = 10.0
TRANSITION_SECONDS: Final = 60.0
# Warm-up 5-10 min (ACSM's Guidelines for Exercise Testing and Prescription, 11th ed., 2021): 15 % of the
# session, clamped to that range (our choice), including the ramp-up sets of the first lift.
WARMUP_FRACTION: Final = 0.15
WARMUP_MINUTES_RANGE: Final = (5.0, 10.0)
# Below this there is no room for a session worth doing (warm-up + two exercises of two sets).
MIN_SESSION_MINUTES: Final = 15

# --- Cardio and steps -------------------------------------------------------------------------------------
# WHO 2020: adults 150-300 min/week moderate (or 75-150 vigorous) aerobic activity plus muscle
# strengthening on >= 2 days (Bull FC et al., Br J Sports Med 2020;54:1451-62).
# Weight loss: 150-250 min/week gives modest loss, > 250 min/week clinically significant loss and helps
# prevent regain (Donnelly JE et al., ACSM position stand, Med Sci Sports Exerc 2009;41(2):459-71).
CARDIO_MINUTES_PER_WEEK: Final[dict[str, tuple[int, int, int]]] = {
    # (low, target, high)
    "weight_loss": (150, 200, 300),
    "general_health": (150, 150, 300),
    "endurance": (150, 200, 300),
}
# Moderate intensity: 64-76 % of HRmax, RPE 12-13 on Borg's 6-20 scale, can talk but not sing (ACSM's
# Guidelines, 11th ed., Table 6.1).
MODERATE_HR_MAX_FRACTION: Final = (0.64, 0.76)
# HRmax = 208 - 0.7 x age (Tanaka H, Monahan KD, Seals DR. J Am Coll Cardiol 2001;37(1):153-6).
TANAKA_INTERCEPT: Final = 208.0
TANAKA_SLOPE: Final = 0.7
# Steps/day: mortality risk falls until ~8,000-10,000 steps for adults under 60 and ~6,000-8,000 from 60
# (Paluch AE et al. "Daily steps and all-cause mortality." Lancet Public Health 2022;7(3):e219-28).
STEPS_PER_DAY: Final[dict[str, tuple[int, int]]] = {"under_60": (8000, 10000), "from_60": (6000, 8000)}
STEPS_AGE_SPLIT_YEARS: Final = 60
# Cardio sessions last 20-60 min (our choice: shorter bouts are folded into the daily steps; longer ones
# are split over more days), and never longer than the person's session time.
MIN_CARDIO_SESSION_MINUTES: Final = 20
MAX_CARDIO_SESSION_MINUTES: Final = 60
# At most 3 scheduled cardio sessions a week (our choice, so a person who asked for few training days is not
# handed many more); the rest of the weekly minutes becomes a daily brisk walk.
MAX_CARDIO_SESSIONS: Final = 3

# --- Progression --------------------------------------------------------------------------------------------
# Estimated 1RM: Epley B. "Poundage chart." Boyd Epley Workout, 1985: 1RM = w (1 + r/30). Brzycki M.
# "Strength testing: predicting a one-rep max from reps-to-fatigue." JOPERD 1993;64(1):88-90:
# 1RM = w x 36 / (37 - r). Both are accurate up to ~10 reps to failure (LeSuer DA et al. J Strength Cond
# Res 1997;11(4):211-3); we average them there, use Epley alone up to 15 and ignore longer sets. Reps to
# failure = reps done + reported RIR.
EPLEY_DIVISOR: Final = 30.0
BRZYCKI_NUMERATOR: Final = 36.0
BRZYCKI_CONSTANT: Final = 37.0
BOTH_FORMULAS_MAX_REPS: Final = 10
E1RM_MAX_REPS: Final = 15
# Recency weighting of estimates: half-life 14 days, sets older than 8 weeks ignored (our choice: strength
# changes over weeks; older sets describe a different lifter).
E1RM_HALF_LIFE_DAYS: Final = 14.0
E1RM_WINDOW_DAYS: Final = 56
# When no RIR was logged we assume the set ended 2 reps short of failure (typical self-selected effort,
# Steele J et al. "Ability to predict repetitions to momentary failure..." J Sports Sci 2017).
ASSUMED_RIR_WHEN_MISSING: Final = 2

# Smallest load step by equipment (kg): 1.25 kg plates on each side of a bar; dumbbells in 2 kg pairs;
# kettlebells in 4 kg sizes; weight stacks in 5 kg (machines) and 2.5 kg (cables). Our choice, matching
# common metric gyms. Equipment without external load (bodyweight, bands, balls) progresses by reps.
LOAD_STEP_KG: Final[dict[Equipment, float]] = {
    Equipment.BARBELL: 2.5,
    Equipment.EZ_BAR: 2.5,
    Equipment.DUMBBELL: 2.0,
    Equipment.KETTLEBELL: 4.0,
    Equipment.CABLE: 2.5,
    Equipment.MACHINE: 5.0,
}
# Double progression: the "2-for-2" idea (NSCA, Baechle TR & Earle RW, Essentials of Strength Training and
# Conditioning, 3rd ed., 2008, ch. 15): once every working set reaches the top of the rep range at (or
# easier than) the target RIR, add the smallest load step and go back to the bottom of the range.
# Stall: the weekly best estimated 1RM has not improved by >= 1 % for 3 weeks of training (our choice) ->
# deload one week at 90 % of the load and half the sets (Bell et al. 2023, op. cit.).
STALL_WEEKS: Final = 3
STALL_MIN_IMPROVEMENT: Final = 0.01
DELOAD_LOAD_FACTOR: Final = 0.9

# --- Plans ------------------------------------------------------------------------------------------------
PLAN_WEEKS_RANGE: Final = (1, 8)
# Weekday offsets (0 = the plan's start day) of the lifting days for each number of training days: rest
# days spread between sessions, never three lifting days in a row below 5 days (our choice; the common
# Mon/Wed/Fri, Mon/Tue/Thu/Fri patterns).
TRAINING_DAY_OFFSETS: Final[dict[int, tuple[int, ...]]] = {
    1: (0,),
    2: (0, 3),
    3: (0, 2, 4),
    4: (0, 1, 3, 4),
    5: (0, 1, 2, 4, 5),
    6: (0, 1, 2, 3, 4, 5),
    7: (0, 1, 2, 3, 4, 5),  # the 7th day is active recovery: at least one day a week without lifting
}
MAX_LIFTING_DAYS: Final = 6

# --- Exercise ranking (our choice) -------------------------------------------------------------------------
# A score orders the exercises that passed every filter. Liked exercises come first; then closeness (cosine
# of MiniLM embeddings) to what the person likes, their 1-5 ratings, and a prior for the staple lifts of each
# pattern (the "core exercises" of NSCA's program design chapter: Baechle & Earle, op. cit., ch. 15).
LIKED_BONUS: Final = 10.0
# Cosine similarity of two exercises' MiniLM embeddings: measured on the loaded catalog (liked Barbell Squat,
# Dumbbell Bicep Curl, Pullups vs all 873), the median is ~0.6 and the 90th percentile ~0.75; close variants
# reach 0.9+ (Barbell Full Squat 0.98). Only the part above 0.75 counts, and only toward exercises sharing a
# primary muscle with the liked one (names alone make "Pushups" 0.89 close to "Pullups").
SIMILARITY_FLOOR: Final = 0.75
SIMILARITY_WEIGHT: Final = 4.0
RATING_NEUTRAL: Final = 3
RATING_WEIGHT: Final = 1.5
STAPLE_BONUS: Final = 3.0
STAPLE_RANK_STEP: Final = 0.15
STAPLE_MIN_BONUS: Final = 1.5
LEVEL_MATCH_BONUS: Final = 0.3
ISOLATION_ACCESSORY_BONUS: Final = 0.5
STRENGTH_BARBELL_BONUS: Final = 0.5
# A seeded jitter in [0, JITTER) breaks ties differently per plan, so two people get some variety.
JITTER: Final = 0.3
