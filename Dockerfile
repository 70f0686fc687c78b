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

# A HEALTHCHECK is added with the HTTP health endpoint (admin and operations issue).
CMD ["coach", "run"]
