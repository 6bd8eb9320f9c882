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
