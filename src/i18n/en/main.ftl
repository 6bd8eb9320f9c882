site-name = yijian
site-tagline = Public consultation on draft rules
skip-to-content = Skip to content
nav-home = All consultations
nav-language = Language
footer-text = yijian (意见征集) — public consultation, article by article. All times are Beijing time (UTC+8).
footer-source = This site works fully without JavaScript.

index-title = Public consultations
index-intro = These draft rules are or were open for public comment. Open a draft, read it article by article and comment.
filter-legend = Filter
filter-status = Status
filter-tier = Risk tier
filter-any = Any
filter-apply = Filter
index-empty = No consultation matches this filter.
index-count = { $n ->
    [one] { $n } consultation
   *[other] { $n } consultations
}

status-label = Status
status-upcoming = Not yet open
status-open = Open for comment
status-closed = Closed

tier-label = Risk tier
tier-low = Low risk
tier-medium = Medium risk
tier-high = High risk

issuer-label = Issued by
window-label = Comment period
window-range = { $from } to { $to }
topics-label = Topics
demo-badge = Demo
demo-notice = This is a demonstration draft, not a real regulation; comments are not sent to any authority.

preamble-title = Explanatory note
toc-title = Contents
article-count = { $n ->
    [one] { $n } article
   *[other] { $n } articles
}
read-full-text = Read the full text
full-text-title = Full text
translation-notice = Reference translation; the Chinese text is authoritative.
back-to-consultation = Back to the draft
article-prev = Previous article
article-next = Next article
article-nav = Article navigation
article-location = Location
comments-title = Comments on this article
comments-open = While the consultation is open, comments on this article (support, oppose or proposed amendments) are made here.
comments-upcoming = The consultation has not opened yet; once it opens, comments on this article are made here.
comments-closed = The consultation has closed; this article no longer accepts comments.
comments-none = No public comments on this article yet.

error-heading = Something went wrong
error-home = Back to the home page
error-400-title = Bad request
error-400-message = The request could not be understood. Please check the link or form and try again.
error-403-title = Forbidden
error-403-message = You are not allowed to do this.
error-404-title = Page not found
error-404-message = The consultation, article or page you asked for does not exist. Please check the address.
error-405-title = Method not allowed
error-405-message = This page does not accept that kind of request.
error-413-title = Too large
error-413-message = What you sent is larger than allowed.
error-429-title = Too many requests
error-429-message = You are sending requests too quickly. Please wait a moment and try again.
error-500-title = Internal server error
error-500-message = Something went wrong on our side; it has been logged. Please try again later.
error-503-title = Service temporarily unavailable
error-503-message = The database cannot be reached right now. Please try again shortly; nothing already submitted is lost.
error-bad-filter = That filter is not valid. Please choose a status and a risk tier from the lists.

nav-account = Account
nav-login = Log in
nav-register = Register
nav-logout = Log out
throttled-until = Too many attempts. Please try again after { $time }.

field-email = E-mail address
field-display-name = Display name
hint-display-name = Shown with your comments; at most 50 characters.
field-stakeholder-type = You comment as
hint-stakeholder-type = If you comment on behalf of an organisation, choose its type; you can then register and verify the organisation.
field-password = Password
field-new-password = New password
field-current-password = Current password
hint-password = 12 to 128 characters; common passwords and passwords containing your e-mail name or display name are refused.

stakeholder-citizen = Individual
stakeholder-enterprise = Enterprise
stakeholder-industry-association = Industry association
stakeholder-academic = Academic or research institution
stakeholder-ngo = Non-governmental organisation
stakeholder-government = Government body
stakeholder-other = Other

field-required = This field is required.
email-invalid = Please enter a valid e-mail address.
email-taken = This address is already registered. Log in, or reset your password with "Forgot password".
name-too-long = The display name can have at most 50 characters.
text-control-chars = Control characters are not allowed.
stakeholder-type-invalid = Please choose a type from the list.
password-too-short = The password needs at least 12 characters.
password-too-long = The password can have at most 128 characters.
password-common = This is a common password that is easy to guess; please choose another.
password-personal = The password must not contain your e-mail name or display name.
password-wrong = The password is not correct.

register-title = Create an account
register-intro = With an account you can comment on each article, reply and endorse. We send a verification mail; once your address is verified you can comment.
register-button = Register
register-have-account = Already registered?
login-title = Log in
login-button = Log in
login-forgot = Forgot password
login-failed = Wrong e-mail address or password.

verify-title = Verify your e-mail address
verify-intro = Press the button to confirm that this e-mail address is yours.
verify-button = Confirm address

reset-title = Reset your password
reset-intro = Enter the e-mail address you registered with; we will send a link to set a new password, valid for 1 hour.
reset-button = Send reset link
reset-sent = If this address is registered, a link to reset the password has been sent. It is valid for 1 hour.
reset-confirm-title = Set a new password
reset-confirm-intro = Choose a new password. All sessions on every device end and you log in again.
reset-confirm-button = Save the new password

account-title = My account
account-status = E-mail status
account-verified = Verified
account-unverified = Not verified
account-since = Registered
account-verify-heading = Please verify your e-mail address
account-verify-text = Until then you can read drafts but not comment. No mail? You can send it again (at most 3 times an hour).
account-verify-resend = Send the verification mail again
account-profile = Profile
account-save = Save
account-password = Change password
account-password-button = Change password
account-data = My data
account-data-text = You can download all data this site holds about you (JSON).
account-export = Download my data
account-delete = Delete account
account-delete-text = Your personal data is deleted; comments you posted stay in the public record, signed "deleted account". This cannot be undone.
account-delete-button = Delete my account

flash-registered = Welcome! A verification mail is on its way; please open the link in it.
flash-logged-out = You are logged out.
flash-verified = Your e-mail address is verified; you can now comment.
flash-verification-sent = The verification mail has been sent again.
flash-password-reset = Your password has been reset; please log in with the new one.
flash-profile-saved = Your profile has been saved.
flash-password-changed = Your password has been changed; sessions on other devices have ended.
flash-account-deleted = Your account has been deleted and your personal data removed.

error-token-invalid = This link is invalid or has expired. Please ask for a new one.
error-csrf = This form has expired or did not come from this site. Go back, reload the page and submit it again.
error-form-too-large = What you sent is too large.
error-form-invalid = The form could not be read; please reload the page and try again.
error-form-encoding = The text was not sent as valid UTF-8.

mail-greeting = Hello { $name },
mail-not-you = If this was not you, please ignore this mail.
mail-signature = yijian (意见征集)
mail-verify-subject = Please verify your e-mail address for yijian
mail-verify-intro = Thank you for registering with yijian. Open the link below to confirm that this address is yours:
mail-verify-action = Verify address
mail-verify-expiry = The link is valid for 48 hours and works once.
mail-reset-subject = Reset your yijian password
mail-reset-intro = We received a request to reset your password. Open the link below to set a new one:
mail-reset-action = Set a new password
mail-reset-expiry = The link is valid for 1 hour and works once.

org-title = My organisation
org-intro = Register the organisation you speak for. Once an administrator has checked it, your comments carry the "verified" badge.
org-individual = Individual accounts cannot register an organisation. To comment on behalf of one, first change "You comment as" on your account page to the organisation's type.
field-org-name = Organisation name
field-org-type = Organisation type
field-uscc = Unified social credit code
hint-uscc = 18 characters, on the business licence or registration certificate; the check digit is verified per GB 32100-2015.
org-register-button = Register the organisation
org-status = Review status
org-status-pending = Waiting for review
org-status-verified = Verified
org-status-rejected = Rejected
org-reason = Reason
org-verified-badge = Verified
org-name-too-long = The name can have at most 100 characters.
org-type-invalid = Please choose a type from the list.
uscc-length = The code has 18 characters; you entered { $n }.
uscc-bad-char = Character { $position } ("{ $found }") is not allowed (codes never use I, O, S, V or Z).
uscc-not-digit = Character { $position } ("{ $found }") must be a digit (characters 3 to 8 are the region code).
uscc-check-digit = The check digit does not match: the first 17 characters call for "{ $expected }" as the 18th, you entered "{ $found }". Please check the code.
uscc-taken = This code is registered already.
reason-too-long = The reason can have at most 500 characters.
error-org-not-allowed = This account cannot register an organisation.
error-admin-only = Only administrators can open this page.
flash-org-registered = The organisation has been submitted and waits for review.
flash-org-verified = The organisation is verified.
flash-org-rejected = The organisation's registration was rejected.
admin-title = Administration
admin-org-queue = Organisations to review
admin-org-queue-empty = No organisation is waiting for review.
admin-pending-count = { $n } waiting
admin-org-verify = Verify
admin-org-reject = Reject
admin-org-reason = Reason for rejecting (shown to the applicant)
org-registered-by = Registered by
org-registered-at = Registered

admin-consultations = Consultations
admin-consultation-new = New consultation
admin-consultation-create = Create and import the draft
admin-edit = Edit
admin-roles = Drafters and moderators
admin-roles-none = No drafter or moderator yet.
admin-role = Role
admin-grant = Assign
admin-revoke = Withdraw
admin-actions = Actions
role-drafter = Drafter
role-moderator = Moderator
role-no-such-user = No account uses this address. Ask the person to register first.
field-title = Title
field-title-en = Title in English
field-issuer-en = Issuing body in English
field-summary = Summary
field-summary-en = Summary in English
field-slug = Address name
hint-slug = Used in the address, such as ai-service-safety: lower-case letters, digits and hyphens; it cannot change later.
hint-title-from-draft = Leave empty to use the draft's first line.
hint-topics = Separated by commas; at most 10, each at most 20 characters.
field-opens = First day
hint-opens = Comments are accepted from 00:00 Beijing time that day.
field-closes = Last day
hint-closes = Comments are accepted until 24:00 Beijing time that day.
field-draft = Draft text
hint-draft = Upload a UTF-8 plain-text file (at most 5 MB) or paste the text copied from Word. Parts, chapters, sections, articles, paragraphs and items are recognised.
field-draft-file = Text file
field-draft-text = Or paste the text
import-failed = The draft could not be imported:
draft-missing = Please upload the draft file or paste its text.
slug-invalid = Use only lower-case letters, digits and inner hyphens, at most 64 characters.
slug-taken = This address name is taken.
tier-invalid = Please choose a risk tier from the list.
topics-invalid = At most 10 topics, each at most 20 characters.
date-invalid = Please give the date as year-month-day, such as 2026-12-01.
window-empty = The last day cannot come before the first day.
text-too-long = At most { $max } characters.
flash-consultation-created = The consultation was created and its draft imported.
flash-consultation-saved = Saved.

comments-count = { $n ->
    [one] { $n } comment
   *[other] { $n } comments
}
comments-by-stance = By stance:
comments-by-type = By commenter:
comments-sort = Order
sort-newest = Newest
sort-endorsed = Most endorsed
comments-pages = Comment pages
page-prev = Previous page
page-next = Next page
page-of = Page { $page } of { $pages }
author-deleted = Deleted account
author-anonymous = Anonymous
stance-support = Support
stance-oppose = Oppose
stance-amend = Proposed amendment
stance-other = Other
visibility-named = Public, with my name
visibility-anonymous = Public, anonymous
visibility-drafters = Drafters only
comment-stance = Stance
comment-proposal = Proposed text
comment-proposal-hint = Optional. The full text you propose for the article; the differences from the current text are shown.
comment-body = Comment and reasons
comment-body-hint = 1 to 5,000 characters. Please give your reasons.
comment-visibility = Visibility
comment-submit = Submit comment
comment-form-title = Comment on this article
comment-login = Log in to comment on this article.
comment-verify = Please verify your e-mail address first; then you can comment.
comment-reply = Reply
comment-reply-label = Your reply
comment-reply-button = Post reply
comment-hidden = This comment has been hidden.
comment-hidden-reason = Reason:
endorsements-count = { $n ->
    [one] { $n } endorsement
   *[other] { $n } endorsements
}
endorse = Endorse
endorse-withdraw = Withdraw endorsement
stance-required = Please choose a stance.
visibility-required = Please choose who may read it.
comment-duplicate = You already submitted the same comment on this article (number { $tracking }).
error-not-open = This consultation is not open for comments.
error-unverified = Please verify your e-mail address before commenting.
error-wrong-thread = The comment you reply to belongs to another article.
flash-comment-posted = Your comment has been recorded; the receipt is on its way to your mailbox.
receipt-title = Receipt
receipt-intro = This is what the site recorded. The SHA-256 digest lets you check that the record was not changed.
receipt-tracking = Number
receipt-consultation = Draft
receipt-article = Article
receipt-whole-draft = The draft as a whole
receipt-time = Submitted
receipt-stance = Stance
receipt-visibility = Visibility
receipt-state = State
state-published = Published
state-pending = Held for review
state-hidden = Hidden
receipt-hash-hint = The digest covers draft, article, stance, comment and proposed text in the canonical form documented by the project.
dispute-title = This was not me
dispute-intro = If you did not submit this comment, press the button. Your objection is recorded and goes to the moderators.
dispute-button = This was not me
dispute-recorded = Your objection has been recorded and goes to the moderators. Comment number:
dispute-link = This was not me
mail-receipt-subject = Receipt { $tracking }
mail-receipt-intro = Your comment has been recorded. The receipt:
mail-receipt-page = See the receipt:
mail-receipt-not-me = If you did not submit this comment, open:

report = Report
report-reason = Why are you reporting this comment?
report-button = Send report
report-reason-invalid = Please give a reason (at most 500 characters).
flash-reported = Thank you; the moderators will look at your report.
flash-reported-held = Thank you. Several users reported this comment; it is held until a moderator reviews it.
error-moderator-only = Only this consultation's moderators can open this page.
moderation-title = Moderation queue
moderation-empty = No report or objection is waiting.
moderation-disputed = The named author says "this was not me":
moderation-reports = { $n ->
    [one] { $n } report
   *[other] { $n } reports
}
moderation-dismiss = Keep (dismiss)
moderation-hide = Hide
moderation-hide-reason = Reason for hiding (shown publicly)
flash-moderated = Done.
modlog-title = Moderation log
modlog-intro = Every moderation action on this consultation is listed here.
modlog-empty = No moderation action yet.
modlog-action = Action
modlog-hold = Held after several reports
modlog-hide = Hidden
modlog-dismiss = Kept
comment-held = Several users reported this comment; it is held until a moderator reviews it.
attachments-label = Attachments
attachments-hint = Optional. Position papers: at most 5 files of up to 10 MB each; PDF, DOCX, ODT, TXT, PNG or JPEG.
attachment-too-large = An attachment may not exceed 10 MB.
attachment-too-many = A comment can carry at most 5 files.
attachment-bad-type = This type of file is not accepted: only PDF, DOCX, ODT, TXT, PNG and JPEG (judged by the content, not the name).
search-title = Search
search-label = Search the drafts
search-placeholder = Search articles
search-submit = Search
search-hint = Type Chinese or English words, separated by spaces; every word must occur.
search-count = { $n ->
    [one] { $n } matching article
   *[other] { $n } matching articles
}
search-count-more = Many articles match; the first { $n } are shown
search-none = No article contains all the words.
search-too-long = Please search for at most { $max } characters.
search-nothing = Please type at least one Chinese character, letter or digit.
search-comment = Comment
demo-comments-notice = Demonstration data: the comments, replies and endorsements here are generated; the accounts and organisations named are fictional and speak for no real person or body. Anything you post here is for demonstration only too.
general-title = Comments on the draft as a whole
general-intro = Comments not about one article — on the purpose, the structure or what is missing — go here.
general-none = No comment on the draft as a whole yet.
general-closed = Comments are accepted only while the consultation is open.

# Comments on a chapter or section
division-comments-title = Comments on this chapter
division-comments-intro = Comments on this chapter or section as a whole go here; to comment on one article, open that article.
division-comments-none = No comment on this chapter yet.
division-read = Read and comment on this chapter
# Public record (ledger): hash chain, signed heads, verification
receipt-ledger-seq = Public record entry
receipt-ledger-hash = Entry digest
receipt-ledger-pending = Being written to the public record; refresh this page in a few seconds to see its number and entry digest
mail-receipt-ledger = Within seconds this comment is appended to the consultation's public record; the receipt page then shows its entry number and digest. Anyone can download the record and check, with the number and SHA-256 digest above, that this comment is in it.
receipt-ledger-hint = This comment is appended to the consultation's public record: each entry carries the SHA-256 of the one before it, and the site signs the latest entry at regular intervals. Anyone can download the whole record and check it offline with yijian verify-ledger.
ledger-download = Public record (JSON Lines)
ledger-key-link = signing key
ledger-key-title = Public record signing key
ledger-key-intro = The site signs the latest entry of every consultation's public record at regular intervals (Ed25519). Every signature line of a downloaded record must verify with the key below; a record re-signed with any other key fails the check.
ledger-key-label = Ed25519 public key (hex)
ledger-key-verify = To check a record offline:
ledger-key-format = The format is specified in the project's docs/LEDGER.md: one canonical JSON object per line; entries in order of their number, each carrying the SHA-256 of the previous entry; a signature covers "yijian-ledger-head-v1", the consultation's name, the number and that entry's digest.
# Subscriptions and digests (issue 6)
subscribe-title = Follow this consultation by e-mail
subscribe-title-article = Follow this article by e-mail
subscribe-to-own-address = Digests go to your address
subscribe-email = E-mail address
subscribe-hint = No account needed. We first send a confirmation mail; digests start only once you confirm, and one click unsubscribes.
subscribe-frequency = How often
subscribe-daily = Daily
subscribe-weekly = Weekly
subscribe-button = Subscribe
subscriptions-manage = Manage my subscriptions
error-subscribe-email = Please enter a valid e-mail address.
error-subscribe-frequency = Please choose daily or weekly.
flash-subscription-check-mail = Please check your mail: the subscription starts once you follow the link in it.
flash-subscribed = Subscribed. Digests will go to your address.
flash-subscription-confirmed = Your subscription is confirmed. You will get a digest whenever there is news.
flash-unsubscribed = Unsubscribed.
subscription-confirm-title = Confirm your subscription
subscription-confirm-intro = Please press the button to confirm. No digest is sent before you do.
subscription-confirm-button = Confirm the subscription
unsubscribe-title = Unsubscribe
unsubscribe-intro = Press the button and you will receive this digest no more.
unsubscribe-button = Unsubscribe
unsubscribed-title = Unsubscribed
unsubscribed-intro = You will receive this digest no more.
subscriptions-home = Back to the home page
subscriptions-title = My subscriptions
subscriptions-intro = Every digest subscribed with this account or sent to its address.
subscriptions-none = You have no subscription yet. Subscribe on a consultation's or an article's page.
subscriptions-target = Following
subscriptions-state = State
subscriptions-actions = Actions
subscriptions-active = Active
subscriptions-pending = Awaiting confirmation
mail-subscribe-subject = Please confirm your yijian digest subscription
mail-subscribe-greeting = Hello,
mail-subscribe-intro = Someone subscribed this address to digests of “{ $target }”. Please follow the link to confirm:
mail-subscribe-action = Confirm the subscription
mail-subscribe-expiry = The link works for 7 days; an unconfirmed subscription is deleted and you will hear from us no more.
digest-daily-subject = Daily digest: { $target } ({ $period })
digest-daily-heading = Daily digest, { $period }
digest-weekly-subject = Weekly digest: { $target } ({ $period })
digest-weekly-heading = Weekly digest, { $period }
digest-opened = The consultation has opened.
digest-closing = Comments close on { $time }.
digest-closed = The consultation has closed.
digest-comments-total = { $n ->
    [one] { $n } new comment:
   *[other] { $n } new comments:
}
digest-no-stance = No stance given
digest-by-type = By who commented:
digest-most-endorsed = Most endorsed new comments
digest-whole-draft = On the draft as a whole
digest-endorsements = { $n ->
    [one] { $n } endorsement
   *[other] { $n } endorsements
}
digest-read-more = Read it
digest-unsubscribe-text = No longer want this digest?
digest-unsubscribe-link = Unsubscribe
digest-manage-text = Manage all your subscriptions:
digest-manage-link = My subscriptions
subscribe-new-title = Hear of new consultations by e-mail
subscribe-topic = Topic tag (optional)
subscribe-topic-hint = Only new consultations with this tag, such as “生成式人工智能”; leave empty for all.
subscription-new-consultations = New consultations
error-subscribe-topic = A topic tag has at most 50 characters and no control characters.
digest-new-consultations = Published in this period:
subscribe-back = Back
## Campaigns: clusters of near-identical comments (drafters only)
campaigns-title = Near-identical comments
campaigns-intro = Comments with essentially the same text (form letters, copy-paste, mass submissions) are grouped here, each group with its count, a representative text, who sent it and when; every comment is still stored and counted on its own, and every group lists all its members.
campaigns-drafters-only = Only the drafters of this consultation may open this page.
campaigns-bad-page = Invalid page number.
campaigns-not-yet = Comments have not been compared yet; new comments are checked every minute.
campaigns-empty = No near-identical comments found.
campaigns-overview-clusters = { $n ->
    [one] { $n } group of near-identical comments
   *[other] { $n } groups of near-identical comments
},
campaigns-overview-clustered = { $n ->
    [one] holding { $n } comment;
   *[other] holding { $n } comments;
}
campaigns-overview-read = { $n ->
    [one] the last comparison read { $n } comment,
   *[other] the last comparison read { $n } comments,
}
campaigns-overview-at = at
campaigns-size = { $n ->
    [one] { $n } near-identical comment
   *[other] { $n } near-identical comments
}
campaigns-span = Sent
campaigns-representative = Representative text
campaigns-by-type = Senders by type
campaigns-members = All members
campaigns-author = Sender
campaigns-similarity = Similarity
campaigns-text = Text
campaigns-pages = Pages
## Drafters' workspace: dashboard, triage, themes, responses, feedback report, concluding (drafter)
status-concluded = Concluded
error-drafter-only = Only the drafters of this consultation can open this page.
error-concluded = This consultation is concluded; its responses can no longer change.
error-not-closed = A consultation can be concluded only after its comment period has ended.
dashboard-title = Drafters' dashboard
dashboard-total = { $n } comments
dashboard-matrix = Comments by article
dashboard-matrix-hint = Each cell counts the comments on one article by one kind of stakeholder with one stance (replies and hidden comments left out); darker means more. Follow a number to read those comments.
dashboard-article = Article
dashboard-sum = Total
dashboard-per-day = Comments per day
dashboard-per-day-max = most in a day:
dashboard-per-day-table = Comments per day as a table
dashboard-day = Day
dashboard-count = Comments
dashboard-by-type = By stakeholder type
dashboard-type = Stakeholder type
dashboard-by-org = Verified organisations
dashboard-org = Organisation
dashboard-endorsed = Most endorsed comments
dashboard-unanswered = Articles without a response
dashboard-all-answered = Every commented article has a response.
dashboard-answered = answered
dashboard-not-answered = not answered yet
dashboard-disputes = Open disputes ("this was not me")
dashboard-none = None yet.
whole-draft = The draft as a whole
stance-short-support = S
stance-short-oppose = O
stance-short-amend = A
stance-short-other = X
workspace-title = Working on comments
workspace-public-page = public page
workspace-comments = { $n } comments
response-title = Response
response-public-title = The drafters' response
response-none = No response yet.
response-published = published
response-answers = answers { $n } comments
response-decision = Decision
response-reasoning = Reasoning (public)
response-answers-hint = Tick "this response answers it" beside the comments below to link them to the response.
response-answers-this = This response answers it
response-answers-invalid = A comment chosen is not about this article.
response-decision-required = Choose a decision.
response-submit = Publish the response
response-answered-badge = Answered
decision-adopted = Adopted
decision-partly-adopted = Partly adopted
decision-not-adopted = Not adopted
decision-explained = Explained
triage-unread = Unread
triage-read = Read
triage-studied = Studied
triage-status = Status
triage-note = Internal note (drafters only)
triage-save = Save
triage-filter = Status
note-invalid = The note is too long or has characters that are not allowed.
themes-title = Themes
themes-none = No theme yet.
themes-filter = Theme
themes-add = Add a theme
themes-add-button = Add
themes-remove = Remove theme
themes-suggested = Suggested themes
themes-suggested-hint = Words frequent in this article's comments and rarer elsewhere (TF-IDF); adopting one tags the comments that contain it.
themes-adopt = Adopt:
theme-invalid = A theme name has 1 to 40 characters.
conclude-title = Concluding the consultation
conclude-missing = These commented articles have no response yet; answer them before concluding:
conclude-ready = Every commented article has a response: the consultation can be concluded and the feedback report published.
conclude-button = Conclude and publish the feedback
conclude-not-closed = A consultation can be concluded only after its comment period has ended.
conclude-done = Concluded on
report-title = Feedback report
report-provisional = This report is not final: the drafters are still answering the comments.
report-participation = Participation
report-responses = Responses by article
flash-response-published = The response is published.
flash-concluded = The consultation is concluded and its feedback report published.
flash-triage-saved = The status is saved.
flash-theme-saved = Themes updated.
flash-theme-adopted = Theme adopted.

# Digests: the drafters' answers
digest-responses = The drafters' responses
digest-concluded = The consultation has been concluded; its feedback report is final.

## Revised versions (issue 7)
version-new-title = Publish a revised text (version { $n })
version-dashboard = Drafters' workspace
version-text = Revised text
version-review = Upload and review the matching of articles
version-upload-again = Upload another text instead
version-matching = Proposed matching of articles
version-matching-hint = Check each row: a matched article keeps the identity of the article it continues, so its comments and subscriptions follow it. Publish when the matching is right.
version-col-old = Previous article
version-col-new = New article
version-col-change = Change
version-col-similarity = Similarity
version-change-unchanged = Unchanged
version-change-edited = Edited
version-change-renumbered = Renumbered
version-change-renumbered-edited = Renumbered and edited
version-change-inserted = Inserted
version-change-deleted = Deleted
version-publish = Publish version { $n }
version-unchanged = Every article of the revised text is the same as in the current text; there is nothing to publish.
flash-version-published = The revised text is published as the current text; earlier versions stay readable.
version-history = Version history
version-number = Version { $n }
version-current = current text
version-what-changed = what changed and why
version-read = read this version
version-changes-title = What changed in version { $n }
version-changes-count = { $n ->
    [one] One article changed.
   *[other] { $n } articles changed.
}
version-reading = You are reading an article of version { $n }; comments stay with the version they were made on.
version-publish-link = Publish a revised text

# Versions published at the same moment
version-concurrent = Another drafter has just published a version; review the matching against it before publishing.
# Links between changes and the comments and responses that motivated them
version-changed-in-response = Changed in response to
version-answered-count = { $n ->
    [one] answers one comment
   *[other] answers { $n } comments
}
version-linked-response = The drafters' response
version-linked-comment = Comment
version-comment-led = This comment led to a change
version-see-diff = See what changed
version-links-edit = Link the comments and responses that motivated this change
version-links-response = Response to the previous article
version-links-comments = Comments on the previous article
version-links-tracking = Tracking numbers of other comments
version-links-tracking-hint = Any public comment of this consultation, e.g. YJ-2026-7Q4M-K2XD; separate several with spaces, commas or new lines.
version-links-save = Save the links
version-links-invalid = A comment or response chosen is not a public one of this consultation, or a tracking number is wrong.
version-links-not-changed = This article did not change in this version, so no comment can be linked to it.
version-links-too-many = Too many comments: a change can be linked to at most 500.
flash-version-links-saved = The comments and responses that motivated the change are saved.
version-correct-hint = If a pairing is wrong, type in "Continues" the number of the old article a new one continues (empty for a new article); when a new article was split from an old one, or absorbed another old article, type that article's number in "Split or merged from". Each old article can be continued by one new article only.
version-col-continues = Continues
version-col-also = Split or merged from
version-matching-invalid = The corrected matching is not valid: each number must be an article of the current text, each old article may be continued only once, and a split or merge must be one.
version-split-from = Split from { "" }
version-merged-from = Merged from { "" }
version-merged-into = Merged into { "" }
version-list-separator = , { "" }
version-view-label = Comparison
version-view-inline = Inline
version-view-side = Side by side
version-before = Before
version-after = After
version-view-invalid = Unknown comparison view: choose inline or side by side.
version-contents = Articles
version-contents-count = { $n ->
    [one] one article
   *[other] { $n } articles
}
version-contents-current = This is the current text.
version-contents-go-current = Read the current text
version-read-only = Articles of earlier versions are for reading only and take no comments.
version-now-as = In the current text: { "" }
version-gone = The current text no longer has this article.
version-comment-here = Comment on this article
version-round = A new comment round (optional)
version-round-hint = To consult on the revised text, give the first and last day (Beijing time, the last day included); comments then attach to the new version's articles and earlier versions are for reading only. Leave both empty to keep the window as it is.
version-round-opens = First day
version-round-closes = Last day
version-window-invalid = The new comment round's dates are wrong: give both days (such as 2026-12-01); the last day cannot come before the first or lie in the past.
version-window-concluded = This consultation is concluded and cannot open a new comment round.
# Exports (drafters' downloads of every comment)
export-csv = Export comments (CSV)
export-json = Export comments (JSON)
export-xlsx = Export comments (Excel)

# Digests: a revised version
digest-new-version = Revised version { $n } has been published; what changed and why: { $link }
digest-new-version-article-changed = Revised version { $n } changed the article you follow; what changed and why: { $link }
digest-new-version-article-unchanged = Revised version { $n } has been published and leaves the article you follow as it was: { $link }
