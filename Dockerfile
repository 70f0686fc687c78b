# interview-coach: `docker build -t interview-coach .` then
# `docker run -it -v coach-data:/data interview-coach` (terminal interview with no tokens).
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
    PYTHONUNBUFFERED=1
RUN mkdir -p /data && chown coach:coach /data
VOLUME ["/data"]
USER coach

# A HEALTHCHECK is added with the HTTP health endpoint (admin and operations issue).
CMD ["coach", "run"]
