"""gunicorn settings for serving Parcours: `gunicorn -c src/parcours/gunicorn_conf.py parcours.wsgi`.

The access log writes the path of each request, never its query string (`%(U)s`, not
`%(r)s`), nor the referer (the address of the previous page); every gunicorn handler
carries the redaction filter of `parcours.core.logging`, as Django's handlers do
(settings `LOGGING`). Bind address, workers and threads are given on the command line.
"""

# Idle keep-alive connections kept 10 s (gunicorn's default is 2 s): agents pause between
# pages longer than that, and a connection closed under a browser's request resets it.
keepalive = 10
accesslog = "-"
errorlog = "-"
# Client address, time, "METHOD /path PROTOCOL", status, bytes sent, duration in ms.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "parcours.core.logging.RedactPersonalData"}},
    "formatters": {
        "generic": {
            "format": "%(asctime)s [%(process)d] [%(levelname)s] %(message)s",
            "datefmt": "[%Y-%m-%d %H:%M:%S %z]",
        },
        "access": {"format": "%(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "generic",
            "filters": ["redact"],
            "stream": "ext://sys.stdout",
        },
        "error_console": {
            "class": "logging.StreamHandler",
            "formatter": "generic",
            "filters": ["redact"],
            "stream": "ext://sys.stderr",
        },
        "access_console": {
            "class": "logging.StreamHandler",
            "formatter": "access",
            "filters": ["redact"],
            "stream": "ext://sys.stdout",
        },
    },
    "root": {"level": "INFO", "handlers": ["console"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["access_console"], "propagate": False},
    },
}
