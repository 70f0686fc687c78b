"""A thesaurus of interview topics, so relevance survives paraphrase and recogniser errors.

A question about something that "broke in production" is answered by talk of an outage, a
service timing out or being paged; a question about a conflict by a colleague who "pushed
back". Each topic lists everyday words and phrases for one concept, drawn from the keywords,
text and strong-answer notes of every bank question (`bot/flows/banks/*.json`). Entries match
after stemming (`text.stem`), so inflections match; `a_b` is a phrase of words in a row (a
recogniser may split "on-call" into "on call"), and `=word` matches that exact word only, for
words the stemmer would confuse ("production" and "product"). Matching lives in
`bot.providers.coach.rule_concepts`.
"""

from __future__ import annotations

from bot.flows.text import stem, word_set

COMMON_TERMS = frozenset(
    stem(w)
    for w in word_set(
        """
        team teams customer customers data work worked working job company product products
        project projects people user users feature features week weeks day days month months
        year years next test tests ticket tickets call calls review reviews step steps goal
        goals role roles manager business support model change changes new own impact
        """
    )
)
"""Words nearly every answer in some role uses; a shared one is weak evidence of topic."""

THESAURUS = (
    # behavioural and general
    """
motivation: motivation =passion passionate excited drawn =mission why_i_want interested enjoy
=apply =passionate =applying why_you_want want_this_role this_role why_this_role why_i_applied;
background: background experience =career graduated degree studied university my_current =careers
about_yourself about_myself a_bit_about_me; strengths: strength skills good_at strong_at; conflict:
conflict clash =tension friction argued debate heated pushed_back objected at_odds butted_heads
eye_to_eye fell_out annoyed frustrated_with =tense didn't_agree did_not_agree =challenged
=questioned concerns had_concerns raised_concerns bad_idea wasn't_convinced not_convinced
told_him_so told_her_so; resolution: resolve resolution compromise common_ground middle_ground
halfway agreed agreement settled cleared_the_air =commit =committed disagree_and_commit; colleague:
colleague teammates coworkers co_worker =designer =counterpart team_member another_engineer
senior_engineer =designers on_my_team in_my_team direct_report member_of_my_team
someone_on_my_team; conversation: conversation talked chat coffee one_to_one one_on_one 1_1
sat_down face_to_face walk privately in_private hard_conversation difficult_conversation
talked_to_customers talked_to; empathy: empathy empathetic sympathy feelings acknowledge listen
heard perspective point_of_view side understood; relationship: =relationship rapport trust respect
get_on get_along working_relationship reputation =relationships; failure: fail flop backfired
went_wrong messed_up screwed_up dropped_the_ball my_fault my_error fault oversight blunder wrong
cancelled; lesson: lesson learned learnt takeaway taught_me reflection looking_back hindsight
=differently next_time since_then now_i; accountability: owned own_up responsibility =accountable
admitted my_part blame excuses on_me on_us; apology: apologise sorry regret; honesty: honest
transparent candid upfront =openly truth came_clean; feedback: feedback criticism critical
criticised critique told_me pointed_out called_out =comments constructive harsh blunt stung review
performance_review appraisal =comment one_to_one one_on_one 1_1 specific_examples raise_it
brought_it_up hard_conversation difficult_conversation told_him told_her code_review
review_comments call_review; reaction: reaction defensive stung hurt surprised took_it_on_board;
improvement: improve =better progress growth grow grew =development; deadline: deadline due
due_date tight timeline time_pressure crunch rushed last_minute launch_date on_time a_day_early
ahead_of_schedule cutoff moved_forward end_of_the_month end_of_the_week by_the_end on_the_date
the_date weeks_out days_out in_time on_schedule; planning: plan schedule milestones broke_it_down;
scope: scope descoped cut deferred postpone must_have nice_to_have mvp trimmed pushed_the_rest
moving_to_the_next could_wait can_wait the_sprint_after next_release later_release everything_done
get_everything left_out leave_out core_flow scope_creep; priority: priority competing urgent
urgency important triage ranked juggle matter_most first_things came_first; risk: risk calculated
=bet gamble downside upside worst_case mitigate safeguard reversible too_risky =bets; leadership:
leadership stepped_up took_charge took_the_lead rallied organised coordinated nobody_owned
wasn't_a_lead without_a_title influence went_round formal_authority formal_title wasn't_a_manager
not_a_manager no_authority without_authority; initiative: initiative proactive volunteered
volunteer on_my_own nobody_asked unprompted side_project noticed spotted wasn't_my_job; influence:
influence persuade convince win_over won_over buy_in bought_in on_board make_the_case
brought_round; evidence: evidence proof figures showed_him showed_her showed_them the_numbers
data_showed benchmark proof_of_concept; change: change adapt adjust reorganisation reorg
restructure acquisition acquired =merger pivot shift transition switched new_manager flexible
flexibility moved_onto moved_to_a_new parent_company new_system new_tools new_process new_platform
new_owners changed_course changed_their_mind changed_the_plan kept_changing; uncertainty:
uncertainty ambiguous ambiguity unclear vague unknowns open_ended assumptions clarify figure_out
no_spec; extra: beyond above_and_beyond extra extra_mile weekend =evening late_night my_own_time
not_my_job on_top =evenings after_hours out_of_hours stayed_late day_off on_a_friday dug_into
personally; telling: told tell informed let_them_know notify warned heads_up before_they_found
before_anyone; team_health: dysfunction morale silos toxic not_working blaming retro retrospective
collaboration stand_ups standups; learning: learn learnt study course tutorial documentation docs
reading =book practice practised mentor ramp ramp_up crash_course self_taught koans taught_myself
never_used never_written =books; achievement: proud pride achievement accomplishment award
recognised recognition; boss: boss supervisor line_manager my_manager head_of vp director; helping:
help struggling overwhelmed burned_out burnout workload checked_in took_one took_over cover paired;
bad_news: bad_news break_the_news disappointing delay layoff redundancy let_go; process: process
workflow automate script checklist streamline manual by_hand spreadsheet efficiency template
new_process; unpopular: unpopular backlash resistance complained grumbling objections not_everyone;
hiring: hire recruit candidates headcount new_hire; culture: culture morale rituals norms retention
attrition turnover turnaround turned_around turned_one_around turned_it_around built_a_team
built_the_team; mentoring: mentor =mentee coach stretch delegated promotion potential unblock stuck
junior new_hire taught pairing new_graduate graduate new_joiner new_starter joined_my_team sat_with
taught_him taught_her drive bigger_role developed_someone developed_him developed_her
grew_into_the_role; strategy: strategy vision =direction roadmap =bets course_correct
changed_course north_star; ethics: ethics ethical integrity dilemma right_thing uncomfortable
refused =reported compliance values mislead fudge cut_corners conflict_of_interest; style: style
working_style big_picture introvert =personality =differences; first_job: first_job internship
intern =placement summer_job part_time graduate_scheme first_role first_year; surprise: surprised
unexpected didn't_expect; quality: quality standards polish good_enough corners thorough perfect
quality_assurance; speed: speed fast quick time_to_market velocity; stakeholder: stakeholder
partner =counterpart finance legal executive leadership head_of_sales head_of_marketing
sales_director sales_team support_team marketing_team head_of_support the_business; alignment:
alignment consensus buy_in sign_off same_page shared_goal their_goal her_goal his_goal
what_they_cared_about measured_on helped_her helped_them; future: future years_time five_years
few_years aspire aspiration ambition grow_into long_term; decision: decision decide chose recommend
go_ahead approved made_the_call instead didn't_go_ahead changed_course changed_their_mind
changed_the_plan held_off put_it_on_hold were_about_to was_about_to decide_between;
"""
    # software engineering
    """
incident: incident outage out_edge downtime went_down was_down go_down broke broken crash
timing_out timeouts fell_over degraded sev1 on_call oncall =paged =pager pagerduty firefighting
war_room error_rate logged_out incident_channel; mitigation: rollback rolled_back revert hotfix
hot_fix patch feature_flag kill_switch turned_off switched_off failover mitigate workaround
restart; postmortem: postmortem post_mortem retro retrospective blameless root_cause action_items
follow_ups afterwards prevent runbook guardrail never_again; release: release deploy ship rollout
rolled_out =production =prod went_live went_live =merged launch canary; bug: bug debug defect
glitch root_cause reproduce repro stack_trace traces logs bisect breakpoint narrowed investigate
diagnose heap leak; testing: testing unit_tests integration_tests end_to_end e2e regression_test
coverage mocks fakes stub flaky qa pytest jest test_suite; code_review: code_review reviewer
pull_request prs merge_request nit approve =diff review_comments; tech_debt: technical_debt
tech_debt debt refactor rewrite rewrote legacy cleanup clean_up spaghetti old_code modernise;
performance: performance slow latency p50 p95 p99 =throughput optimise cache bottleneck profiled
milliseconds load_time response_time cpu unindexed query_plan n_plus_one; database: database db sql
postgres postgresql mysql mongo mongodb dynamo table index query schema column transaction joins
nosql =relational orm document_store query_plan; architecture: architecture service microservice
monolith api interface component module boundary rfc design_doc system_design; prototype: prototype
proof_of_concept poc spike benchmark tried_both both_ways; stack: language framework library
codebase code_base stack kotlin python java javascript typescript rust golang react angular swift
android ios django rails kubernetes terraform docker; requirements: requirements spec
=specification moving_target scope_creep mockups mock_ups wireframes acceptance_criteria
user_stories kept_changing; networking: dns tcp udp tls ssl handshake http server browser cdn
load_balancer ip_address html css render dom packets =resolver; shortener: shortener short_url
short_link short_code hash base62 redirect read_heavy replication sharding partition qps collision;
rate_limit: rate_limit limiter throttle token_bucket leaky_bucket sliding_window fixed_window 429
quota burst requests_per_second gateway =redis; concurrency: thread multithreading async await
asyncio event_loop concurrency parallel gil cpu_bound i_o_bound lock mutex race_condition atomic
coroutine context_switch lost_update idempotent; hash_map: hash hash_map hashmap hash_table
dictionary bucket collision chaining linked_list open_addressing =probing load_factor =resize
rehash o_1 constant_time lookup; security: secret password credentials api_key vault kms encrypt
at_rest in_transit least_privilege permissions access_control authentication =authorisation oauth
injection xss owasp pii personal_data gdpr breach audit =authorization; notifications: notification
push_notifications sms kafka rabbitmq sqs pubsub =worker consumer retry idempotency dedupe fan_out
provider twilio sendgrid preferences quiet_hours unsubscribe =workers; monitoring: monitor
dashboard grafana datadog prometheus alert slo sli error_budget =paging =paged =pager on_call
oncall runbook run_book observability three_in_the_morning 3am wake_someone; estimation: estimate
story_points t_shirt breakdown unknowns buffer range slipped slippage overran underestimated; ci:
ci ci_pipeline build_pipeline build_time =builds flaky parallelise quarantine github_actions
jenkins circleci test_selection; migration: migration schema alter_table backfill
expand_and_contract dual_write batches zero_downtime backwards_compatible online_migration; split:
monolith microservices split bounded_context domain strangler extract carve data_ownership;
code_quality: readable readability naming small focused simple simplicity clean abstraction
cohesion coupling single_responsibility functions;
"""
    # data science
    """
analysis: analysis analytics analyst looked_at_the_numbers looked_at_the_data dug_into insight
=findings found_that cohort; model_ml: classifier xgboost lightgbm random_forest neural_network
gradient_boosted trained predict auc; ml_production: drift leakage leaking offline online retrain
degraded decay distribution_shift shadow_mode is_live live_traffic; data_quality: messy dirty
incomplete =missing null duplicate deduplicated dedupe inconsistent typos clean imputed outliers
gaps caveats validation sanity_check quality; correction: corrected retract reissued resent re_sent
reran re_ran double_counted overstated =understated wrong_number; narrative: narrative spin
cherry_pick wanted_the_data pressure hold_the_line conclusion biased agenda; explain: explain
non_technical nontechnical jargon analogy chart visual visualisation slide deck plain_english
plain_language simplify storytelling audience present weather_forecast appendix; simpler: simple
baseline heuristic rule rule_based logistic_regression linear overkill complexity cheaper
deep_learning; data_infra: infrastructure data_platform warehouse data_warehouse snowflake bigquery
redshift dbt airflow pipelines etl data_engineers data_engineering headcount =investment roi
business_case; experiment: experiment experimentation a_b ab_test split_test control =treatment
variant hypothesis sample_size power significance statistically p_value mde
minimum_detectable_effect randomise randomisation lift holdout guard_rails guardrail; peeking:
peeking checked_every_day checking_daily early_stopping stopped_early false_positive sequential
multiple_testing multiple_comparisons bonferroni fixed_horizon; interval: confidence_interval
interval uncertainty margin_of_error error_bars plus_or_minus sampling repeated_sampling;
bias_variance: bias variance overfitting underfitting =regularisation complexity validation_error
cross_validation training_error =generalise =generalisation; churn: churn cancel cancelled
retention retain attrition renew renewal stopped_using lapsed going_to_leave threatened_to_leave
were_leaving not_renew not_going_to_renew; imbalance: imbalance rare minority precision recall f1
auc pr_auc roc confusion_matrix threshold false_negatives class_weights oversample resampling
smote; leakage: leakage leak future_data target_encoding train_test_split time_split suspicious
too_good prediction_time available_at; dau: daily_active_users dau active_users dropped fell
decline dip overnight tracking =instrumentation anomaly platform app_version; success_metric:
metric success_metric north_star engagement click_through ctr clicks retention guardrail long_term
goodhart gamed proxy; causal: correlation causation causal confounding difference_in_differences
diff_in_diff instrumental_variable matching propensity regression_discontinuity observational
counterfactual natural_experiment; sql: sql window_function row_number dense_rank partition_by
order_by group_by cte subquery second_purchase; regularisation: l1 l2 lasso ridge penalty penalise
coefficients shrink sparse feature_selection =regularisation =regularization =regularised;
missing_values: missing_values =missing impute imputation median outliers extreme winsorise capped
flagged drop_rows missing_at_random skewed; llm: llm large_language_model language_model gpt
chatgpt =prompt few_shot zero_shot fine_tune embeddings tf_idf tfidf bert transformer
text_classification =prompting =prompts; explainability: =explainability =interpretability =shap
lime feature_importance reason_codes regulator fairness transparency appeal =interpretable
=explainable; forecasting: forecast demand time_series seasonality trend holidays arima prophet
backtest lags prediction_interval;
"""
    # product management
    """
launch: launch release rollout rolled_out go_live went_live beta relaunch staged_roll_out;
adoption: adoption usage active_users engagement activation signups uptake; saying_no: said_no
say_no declined turned_down not_now pushed_back deprioritised; judgement: gut instinct intuition
judgement proxy reversible two_way_door assumption hypothesis educated_guess no_data almost_no_data
little_data not_enough_data without_data cheap_to_undo easy_to_undo undo best_guess gut_feel
couldn't_wait; research: user_research research interviews usability survey surveys
talked_to_customers watched_people observed persona discovery insight called_customers
spoke_to_customers asked_customers talked_to study user_interviews; domain: domain industry experts
subject_matter shadowed regulations; dependency: dependency other_team another_team platform_team
no_authority without_authority shared_goal their_roadmap their_own_roadmap; sunset: killed sunset
deprecated removed shut_down shut_it_down turned_off retired wound_down sunk_cost opportunity_cost;
spec: spec prd proposal one_pager write_up draft =revised rewrote non_goals; backlog: backlog rice
cost_of_delay moscow requests wishlist reach scored_them scoring couldn't_do_both decide_between
only_one_squad only_one_team; funnel: signup sign_up sign_ups registration conversion funnel
drop_off abandonment device browser channel campaign landing_page; delivery_app: food =delivery
=orders restaurant courier =rider marketplace on_time =deliveries; build_buy: partnership vendor
integration in_house off_the_shelf saas licence license third_party time_to_market
=differentiation; elderly: elderly older_people seniors grandparents medication medicine pills dose
reminders =carer =caregiver pharmacist refill accessibility large_text =carers; price: price
expensive cheaper cost budget afford discount roi payback too_expensive; packaging: premium
freemium tier willingness_to_pay paywall subscription upgrade paid_plan free_users free_plan;
sprint: sprint story_points agile scrum standup velocity mid_sprint; market: =market new_market
expansion =international country tam competitors positioning go_to_market beachhead localisation
=markets; competitor: competitor rival copy reactive =differentiate bake_off bad_mouth
=differentiated; mvp: mvp minimum_viable =smallest riskiest riskiest_assumption validate; roadmap:
roadmap now_next_later themes quarterly outcomes; redesign: redesign =settings task_success
task_completion qualitative satisfaction; onboarding: onboarding activation first_run setup
new_users new_starters; org: org org_design organisation structure squads pods ownership
dependencies;
"""
    # sales
    """
deal: deal closed signed signature contract opportunity arr acv logo =bookings; sales_stage:
prospect discovery demo proposal negotiation procurement pilot shortlist rfp stage; lost_deal: lost
lose loss went_with no_decision champion_left; quota: quota target =missed attainment behind gap
recovery; renewal: renewal renew expansion expand upsell upsold cross_sell seats licences at_risk
signed_another another_two_years another_year extended extension more_seats added_seats not_renew
not_going_to_renew; rejection: rejection hung_up cold_calls dials ignored resilience persistence
routine kept_going; presales: solution_engineer sales_engineer presales proof_of_concept poc
feature_request =custom technical_requirements; walk_away: walked_away disqualified bad_fit
poor_fit margin; playbook: playbook enablement best_practices talk_track script sequences win_rate
sales_cycle cycle_time; rep_coaching: =rep coaching call_review ride_along role_play listened_back
performance_plan =reps; committee: committee buying_committee decision_maker economic_buyer
champion cfo cto ciso security_review blocker consensus org_chart; careers: =careers careers_office
careers_service university students graduates employability employment; qualification: qualify
qualification bant meddic meddpicc spiced timeline pain champion decision_process disqualify;
week_plan: =weekly monday calendar time_block =prospecting activity follow_ups; prospect_research:
research linkedin website =news annual_report =earnings press_release personalise hypothesis;
cold_email: cold_email subject_line hook call_to_action cta case_study outbound; pipeline_forecast:
forecast commit best_case upside close_date weighted end_of_quarter forecast_accuracy; silence:
silent silence ghosted went_dark gone_dark no_reply stopped_responding unresponsive followed_up
breakup_email chase; negotiation: negotiate concession trade multi_year three_year term walk_away
quarter_end end_of_quarter upfront in_return in_exchange; territory: territory region icp
ideal_customer_profile tier coverage partners events target_accounts; crm: crm salesforce hubspot
pipedrive =notes close_date hygiene stale; comp_plan: compensation commission accelerators ote
variable spiff incentives clawback sandbagging payout; sales_health: pipeline_coverage win_rate
sales_cycle deal_size attainment ramp leading_indicators; land_expand: land_and_expand upsell
cross_sell champion customer_success other_teams departments; demo: demo technical_buyer
economic_buyer use_case tailored;
"""
    # customer support
    """
upset: angry irate livid yelling shouting swearing rude abusive complained threatened calm
de_escalate vent annoyed threatened_to_leave; cannot: policy couldn't_do can't_do not_possible
impossible wasn't_possible alternative workaround =exception expectations limitation backups_only
could_not_give couldn't_give can't_give could_not_do couldn't_help; script: script off_script
standard_answer went_digging dug looked_into personally dug_into; recurring: recurring same_issue
same_problem pattern again_and_again repeat spike tagged every_monday kept_coming same_thing;
volume: volume tickets backlog queue surge spike influx flood hundreds busy peak black_friday macro
templates triage drowning swamped inundated; escalation: escalate jira reproduce repro tier_2
tier_two level_2 engineering_team incident_channel; help_article: help_article article help_centre
help_center knowledge_base faq deflection handle_time self_service; outage_comms: status_page
statuspage status_post status_update banner eta updates every_thirty_minutes; composure: urgent
multiple several at_once same_time simultaneously juggle calm stress pressure composure drowning
swamped under_pressure; lost_work: lost_work lost_a_day recover restore backup rebuild;
troubleshoot: troubleshoot reproduce isolate environment browser version incognito screenshots
screen_recording device cache; support_metrics: csat nps first_response_time frt resolution_time
handle_time aht reopen reopen_rate sla gamed; refund: refund credit goodwill discretion =exception
one_off money_back =exceptions; privacy: privacy personal_information personal_data verify
verification identity security_questions =authorised =authorisation gdpr social_engineering
pretexting phishing; tone: tone chat email phone voice concise formal casual emoji mirror channel;
rota: rota rotation shifts follow_the_sun time_zones staffing coverage 24_7 weekends burnout
on_call tier_1; chatbot: chatbot bot automation ai llm intents handoff hand_off handover human; qa:
quality_assurance rubric scorecard calibration sampling graded qa;
"""
)
"""`topic: entries; topic: entries...`, entries separated by spaces, lines wrapped anywhere."""


def _parse(text: str) -> dict[str, tuple[str, ...]]:
    pairs = (item.partition(":") for item in text.split(";"))
    return {name.strip(): tuple(entries.split()) for name, _, entries in pairs if name.strip()}


TOPICS = _parse(THESAURUS)
"""Topic -> its entries, as written in `THESAURUS`."""
