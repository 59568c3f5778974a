# The advisor as a container, built reproducibly:
#
#   pip wheel --no-deps -w dist . && docker build -t hybrid-advisor .
#
# The base image is pinned by digest: python:3.11-slim (3.11.14, Debian trixie), a multi-arch
# index for linux/amd64 and linux/arm64 as published in 2026-08. To move to a newer build:
#   docker buildx imagetools inspect python:3.11-slim    # then replace the digest below
# The dependencies come from requirements.lock (pip-compile --generate-hashes, see its header)
# and are checked against their hashes; the advisor itself is the wheel in dist/ that .ci/run
# builds and tests the same way.
#
# Run it on an estate in the current folder, as yourself, keeping the history in a volume:
#   docker run --rm --user "$(id -u):$(id -g)" -v "$PWD:/estate" \
#     -v advisor-history:/var/lib/advisor hybrid-advisor report -c advisor.yaml
FROM python:3.11-slim@sha256:c8271b1f627d0068857dce5b53e14a9558603b527e46f1f901722f935b786a39

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

COPY requirements.lock /tmp/requirements.lock
RUN pip install --require-hashes --no-deps -r /tmp/requirements.lock

COPY dist/ /tmp/dist/
RUN pip install --no-deps /tmp/dist/hybrid_advisor-*.whl \
    && rm -rf /tmp/dist /tmp/requirements.lock \
    && advisor --version

# Any user id may run it (docker run --user "$(id -u):$(id -g)" writes files you own into the
# mounted folder); the history store and the caches live in a volume every user can write.
RUN useradd --uid 10001 --home-dir /home/advisor --create-home advisor \
    && mkdir -p /estate /var/lib/advisor/cache \
    && chmod 1777 /var/lib/advisor /var/lib/advisor/cache
ENV HOME=/home/advisor \
    XDG_CACHE_HOME=/var/lib/advisor/cache \
    ADVISOR_STORE=/var/lib/advisor/history.duckdb
VOLUME ["/var/lib/advisor"]
WORKDIR /estate
USER 10001:10001
ENTRYPOINT ["advisor"]
CMD ["--help"]
