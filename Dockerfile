# interview-coach: `docker build -t interview-coach .` then
# `docker run -it -v coach-data:/data -v coach-keys:/keys interview-coach` (terminal interview).
FROM python:3.11-slim

RUN apt-get update \
    && apt-get install -y --no-install-recommends flite espeak-ng \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 coach
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY storage ./storage
RUN pip install --no-cache-dir .

ENV COACH_DATA_DIR=/data \
    COACH_MASTER_KEY_FILE=/keys/master.key \
    PYTHONUNBUFFERED=1
RUN mkdir -p /data /keys && chown coach:coach /data /keys
# Data and key in separate volumes: a copy of the data alone is unreadable.
VOLUME ["/data", "/keys"]
USER coach

# /healthz is served by `coach run` when a platform token is set (on COACH_HTTP_PORT); it
# answers 503 (urlopen raises) when the database, a platform or the scheduler is down.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os,urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('COACH_HTTP_PORT', '8080'), timeout=4)"
CMD ["coach", "run"]
