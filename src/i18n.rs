//! Every string of the page, in Korean and English.

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Lang {
    Ko,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ko => "ko",
            Lang::En => "en",
        }
    }
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "ko" => Some(Lang::Ko),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

/// (key, English, Korean)
const STRINGS: &[(&str, &str, &str)] = &[
    (
        "title",
        "svclab: Kubernetes Services, simulated",
        "svclab: 쿠버네티스 서비스 시뮬레이터",
    ),
    ("playground", "Playground", "플레이그라운드"),
    ("lesson", "Lesson", "레슨"),
    (
        "no-lesson",
        "There is no lesson with this name yet. The playground below works as usual.",
        "아직 이 이름의 레슨이 없습니다. 아래 플레이그라운드는 그대로 쓸 수 있습니다.",
    ),
    ("editor", "YAML editor", "YAML 편집기"),
    ("editor-label", "YAML manifest", "YAML 매니페스트"),
    ("apply", "Apply", "적용"),
    ("new-file", "New file", "새 파일"),
    ("interrupt", "Stop (Ctrl-C)", "중지(Ctrl-C)"),
    (
        "watching",
        "watching (kubectl get -w): Ctrl-C stops it",
        "지켜보는 중(kubectl get -w): Ctrl-C로 멈춤",
    ),
    (
        "editing",
        "waiting for the editor (kubectl edit): save there, or Ctrl-C",
        "편집기를 기다리는 중(kubectl edit): 저장하거나 Ctrl-C",
    ),
    ("save-edit", "Save and close: kubectl edit", "저장하고 닫기: kubectl edit"),
    ("cancel-edit", "Close without saving", "저장하지 않고 닫기"),
    ("file-name", "File name", "파일 이름"),
    ("terminal", "Terminal", "터미널"),
    (
        "terminal-help",
        "Type kubectl, curl, `host curl URL` (from your PC), `trace CMD`, `sleep N`; `help` lists more.",
        "kubectl, curl, `host curl URL`(내 PC에서), `trace 명령`, `sleep N`을 입력해 보세요. `help`를 입력하면 더 볼 수 있습니다.",
    ),
    (
        "topology",
        "Cluster topology: the learner's PC, the NAT network, three nodes with their pods, and the Services",
        "클러스터 구성도: 학습자 PC, NAT 네트워크, 세 노드와 파드, 서비스",
    ),
    ("pc", "Your PC", "내 PC"),
    ("nat", "NAT network", "NAT 네트워크"),
    ("dns", "Cluster DNS", "클러스터 DNS"),
    ("internet", "Internet", "인터넷"),
    ("control-plane", "control plane", "컨트롤 플레인"),
    ("worker", "worker", "워커"),
    ("endpoints", "endpoints", "엔드포인트"),
    ("endpoint", "endpoint", "엔드포인트"),
    (
        "services-panel",
        "Services: kube-proxy writes their rules on every node",
        "서비스: kube-proxy가 모든 노드에 규칙을 씁니다",
    ),
    ("more-services", "more Services", "개 서비스 더 있음"),
    (
        "no-services",
        "No Service yet: apply one to see its rules act.",
        "아직 서비스가 없습니다. 하나를 적용해 보세요.",
    ),
    ("packets", "Packets", "패킷"),
    ("play", "Play", "재생"),
    ("pause", "Pause", "일시정지"),
    ("step", "Step", "한 단계"),
    ("replay", "Replay", "다시 보기"),
    ("speed", "Speed", "속도"),
    ("send", "Send a request", "요청 보내기"),
    ("send-many", "Send 20", "20번 보내기"),
    ("url", "URL from your PC", "내 PC에서 보낼 URL"),
    ("balance", "Who answered", "응답한 파드"),
    ("hops", "Hops", "경로"),
    ("reset", "Reset the lab", "실습 환경 초기화"),
    (
        "reset-confirm",
        "The cluster starts over; your files stay.",
        "클러스터를 처음부터 다시 시작합니다. 파일은 그대로 둡니다.",
    ),
    ("error-at", "Error at line", "오류 위치: 줄"),
    (
        "storage-full",
        "Not saved: this browser's storage is full (other saved labs take the room).",
        "저장하지 못했습니다: 브라우저 저장 공간이 가득 찼습니다(다른 저장된 실습이 공간을 차지하고 있습니다).",
    ),
    (
        "storage-blocked",
        "Not saved: this browser does not let this page store anything.",
        "저장하지 못했습니다: 이 브라우저가 이 페이지의 저장을 막고 있습니다.",
    ),
    (
        "too-large",
        "Not saved: this lab's save would be larger than 2 MB, so nothing of it is saved, neither the files nor the commands. It stays on this page until you close it; Share / Embed can download it as a file.",
        "저장하지 않았습니다: 이 실습을 저장하면 2MB가 넘어서 파일도 명령도 저장되지 않습니다. 페이지를 닫기 전까지만 남아 있으니, 공유 / 임베드에서 파일로 내려받아 두세요.",
    ),
    (
        "kept-damaged",
        "The lab saved in this browser could not be read: it is damaged. A new lab opened instead.",
        "이 브라우저에 저장된 실습을 읽을 수 없습니다. 저장된 내용이 손상되어 새 실습을 대신 열었습니다.",
    ),
    (
        "kept-version",
        "The lab saved in this browser has a save format this page does not know (version {v}). A new lab opened instead.",
        "이 브라우저에 저장된 실습은 이 페이지가 모르는 저장 형식(버전 {v})입니다. 새 실습을 대신 열었습니다.",
    ),
    (
        "kept-stopped",
        "Rebuilding stopped after {n} of {m} steps: the lab shows the state at that point.",
        "전체 {m}단계 중 {n}단계까지만 다시 실행하고 멈췄습니다. 실습은 그 시점의 상태입니다.",
    ),
    (
        "kept-replaced",
        "This link replaced the shared lab you had changed.",
        "고쳐 쓰던 공유 실습 대신 이 링크의 실습을 열었습니다.",
    ),
    (
        "kept-unfinished",
        "The last attempt to rebuild this lab did not finish; a new lab opened instead.",
        "지난번에 이 실습을 다시 만들다가 끝내지 못해서 새 실습을 대신 열었습니다.",
    ),
    (
        "unfinished",
        "The last attempt to rebuild this lab in this tab did not finish (the page stopped or was reloaded). Nothing is saved over it until you choose:",
        "이 탭에서 지난번에 이 실습을 다시 만들다가 끝내지 못했습니다(페이지가 멈췄거나 새로 고쳐졌습니다). 고르기 전까지는 그 위에 아무것도 저장하지 않습니다.",
    ),
    ("rebuild", "Rebuild it", "다시 만들기"),
    ("start-new", "Start a new lab (keep it aside)", "새 실습 시작(저장된 실습은 따로 보관)"),
    (
        "kept-as",
        "The save is kept unchanged under “{key}” in this browser's storage:",
        "저장된 내용은 그대로 브라우저 저장소의 “{key}”에 따로 보관했습니다.",
    ),
    (
        "kept-held",
        "It could not be copied aside (storage is full or blocked), so this page will not save over it until you close it:",
        "저장 공간이 가득 찼거나 막혀 있어 따로 보관하지 못했습니다. 이 페이지를 닫을 때까지 그 위에 저장하지 않으니 내려받아 두세요.",
    ),
    (
        "share-version",
        "This share link or file comes from a newer svclab (format {v}); the lab was not changed.",
        "이 공유 링크나 파일은 더 새로운 svclab에서 만든 것입니다(형식 {v}). 실습을 바꾸지 않았습니다.",
    ),
    (
        "share-not-kept",
        "The shared lab could not be kept: this browser's storage is full or blocked. It is open on this page only; your own labs are unchanged.",
        "공유받은 실습을 보관하지 못했습니다. 브라우저 저장 공간이 가득 찼거나 막혀 있습니다. 이 페이지에서만 열려 있고, 내 실습은 그대로입니다.",
    ),
    (
        "upload-not-kept",
        "The file could not be opened: this browser's storage is full or blocked. Nothing was changed.",
        "파일을 열지 못했습니다. 브라우저 저장 공간이 가득 찼거나 막혀 있습니다. 아무것도 바꾸지 않았습니다.",
    ),
    (
        "shared-here",
        "A shared lab, kept apart: your own playground and lessons are unchanged.",
        "공유받은 실습입니다. 따로 보관되므로 내 플레이그라운드와 레슨은 그대로입니다.",
    ),
    ("back-mine", "Back to my playground", "내 플레이그라운드로 돌아가기"),
    ("lesson-mine", "This lesson with my own lab", "내 실습으로 이 레슨 열기"),
    (
        "replaying",
        "Rebuilding the lab from its saved commands: {n} of {m}",
        "저장된 명령으로 실습을 다시 만드는 중: {m}개 중 {n}개",
    ),
    ("stop", "Stop", "멈추기"),
    ("lines-dropped", "… {n} earlier lines not kept", "… 앞선 {n}줄은 보관하지 않았습니다"),
    ("lessons", "Lessons", "레슨"),
    ("steps", "Steps", "단계"),
    ("step-n", "Step", "단계"),
    ("lesson-loading", "opening the lesson's lab…", "레슨 실습 환경을 여는 중…"),
    ("hint", "Hint", "힌트"),
    ("solution", "Solution", "풀이"),
    ("run-solution", "Run the solution", "풀이 실행"),
    ("next-lesson", "Next lesson", "다음 레슨"),
    ("reset-lesson", "Start the lesson over", "레슨 처음부터"),
    ("reset-again", "Press again to start over", "한 번 더 누르면 처음부터"),
    (
        "reset-lesson-about",
        "The lesson starts over: its lab, its files and its step marks.",
        "레슨을 처음부터 시작합니다. 실습 환경, 파일, 단계 표시가 모두 처음으로 돌아갑니다.",
    ),
    ("lesson-done", "Lesson complete.", "레슨을 마쳤습니다."),
    ("done", "done", "완료"),
    ("todo", "to do", "할 일"),
    ("progress", "steps done", "단계 완료"),
    (
        "open-full",
        "svclab: open the full page ↗",
        "svclab: 전체 화면으로 열기 ↗",
    ),
    ("share", "Share / Embed", "공유 / 임베드"),
    (
        "share-link",
        "Link to this lab: files, commands, seed, lesson and language",
        "이 실습으로 가는 링크: 파일, 명령, 시드, 레슨, 언어",
    ),
    (
        "share-too-long",
        "This lab is too big for a link most places accept. Download it as a file instead; open the file with Upload.",
        "이 실습은 대부분의 곳이 받아 주는 링크보다 큽니다. 대신 파일로 내려받고, 업로드로 여세요.",
    ),
    ("download", "Download", "내려받기"),
    ("upload", "Upload a saved lab", "저장한 실습 올리기"),
    ("embed-snippet", "Put this in a blog post", "블로그 글에 넣을 코드"),
    (
        "bad-share",
        "This share link or file is damaged; the lab was not changed.",
        "공유 링크나 파일이 손상되어 실습을 바꾸지 않았습니다.",
    ),
    ("step-passed", "Step done:", "단계 완료:"),
    ("lab", "Lab", "실습"),
    ("files", "Files", "파일"),
    ("reply", "reply", "응답"),
    ("legend", "Legend", "범례"),
    ("legend-pass", "passes", "통과"),
    ("legend-rewrite", "address rewritten", "주소 변환"),
    ("legend-stop", "stopped", "막힘"),
    ("legend-route", "the request's route", "요청이 지나간 길"),
    ("side-panel", "Hops and files", "경로와 파일"),
    ("col-where", "where", "위치"),
    ("col-addrs", "addresses", "주소"),
    ("col-what", "what happened", "일어난 일"),
    ("rule-walk", "iptables rules matched", "거쳐 간 iptables 규칙"),
    ("about-lesson", "About this lesson", "이 레슨에 대해"),
    ("recap", "What you did:", "해 본 것:"),
    (
        "index-lede",
        "Short lessons on one three-node lab. Each one runs in your browser; your progress stays here, and a file takes it elsewhere.",
        "세 노드 실습 환경 하나로 배우는 짧은 레슨들입니다. 모두 브라우저에서 돌아가고, 진도는 이 브라우저에 남으며 파일로 옮길 수도 있습니다.",
    ),
    ("steps-count", "steps", "단계"),
    ("minutes", "min", "분"),
    (
        "home-title",
        "Watch a Kubernetes Service move your request",
        "쿠버네티스 서비스가 요청을 옮기는 모습을 직접 보세요",
    ),
    (
        "home-lede",
        "A three-node kubeadm lab in your browser: apply YAML, type kubectl and curl, and follow each packet from your PC through port forwarding, a node's kube-proxy rules and to a pod, with every address rewrite shown.",
        "브라우저 안의 세 노드 kubeadm 실습 환경입니다. YAML을 적용하고 kubectl과 curl을 입력하면, 패킷이 내 PC에서 포트 포워딩과 노드의 kube-proxy 규칙을 거쳐 파드까지 가는 길과 주소가 바뀌는 순간을 하나하나 보여 줍니다.",
    ),
    (
        "home-demo",
        "A request from the PC through the NAT network and kube-proxy to a pod",
        "PC에서 NAT 네트워크와 kube-proxy를 거쳐 파드로 가는 요청",
    ),
    ("start-lesson-1", "Start lesson 1", "레슨 1 시작하기"),
    ("open-playground", "Open the playground", "플레이그라운드 열기"),
    (
        "home-clusterip",
        "A stable virtual address inside the cluster, in front of changing pods.",
        "바뀌는 파드 앞에 놓인, 클러스터 안의 고정된 가상 주소.",
    ),
    (
        "home-nodeport",
        "The same Service on a port of every node, reachable from outside.",
        "모든 노드의 같은 포트로 여는 서비스. 클러스터 밖에서도 접속할 수 있습니다.",
    ),
    (
        "home-lb",
        "A NodePort with an external address that a load balancer hands out.",
        "로드밸런서가 내주는 외부 주소가 붙은 NodePort.",
    ),
    (
        "home-external",
        "A DNS alias to a name outside the cluster; no proxy, no endpoints.",
        "클러스터 밖 이름을 가리키는 DNS 별칭. 프록시도 엔드포인트도 없습니다.",
    ),
    (
        "empty-lab",
        "Nothing answers yet: no Service listens on node port 31001, so the VM's port forward has nowhere to go. Apply `deploy-test01.yml` and `service-test01.yml` from the YAML tab, then send again.",
        "아직 아무도 응답하지 않습니다. 노드 포트 31001을 여는 서비스가 없어서, VM의 포트 포워딩이 보낼 곳이 없습니다. YAML 탭에서 `deploy-test01.yml`과 `service-test01.yml`을 적용한 뒤 다시 보내 보세요.",
    ),
    ("close", "Close", "닫기"),
    ("language", "Language", "언어"),
    (
        "no-request",
        "No request yet. Press **Send a request**, or run `curl URL` (from a node) or `host curl URL` (from your PC) in the terminal.",
        "아직 요청이 없습니다. **요청 보내기**를 누르거나, 터미널에서 `curl URL`(노드에서) 또는 `host curl URL`(내 PC에서)을 실행해 보세요.",
    ),
    (
        "ct-entry",
        "the conntrack entry that rewrites the reply back",
        "응답 주소를 되돌리는 conntrack 항목",
    ),
    (
        "help-text",
        "svclab: a three-node kubeadm lab (Kubernetes v1.32). You are on myserver01. You can type:\n  kubectl get, describe, apply -f FILE, create, expose, patch, scale, delete, exec, logs, run ...\n  curl URL, wget, nslookup, dig      from this node\n  host curl URL                      from your PC, through VirtualBox's port forwarding\n  trace CMD                          a request's hops and the rule that acted at each\n  sleep N                            let N seconds of the lab's time pass\n  ssh myserver02                     a shell on another node (exit comes back)\n  kubectl exec -it POD -- sh         a shell in a pod\n  sudo iptables-save, sudo conntrack -L    kube-proxy's rules and the kernel's connections\n  kubectl get -w                     watch changes until Ctrl-C\n  kubectl edit TYPE NAME             the live object in the editor; saving applies it\n  pipes, variables and for loops, with grep, head, wc, sort, awk ...\nThe editor's files are in this folder (ls, cat); Apply runs kubectl apply -f on one.",
        "svclab: 노드 세 대로 된 kubeadm 실습 환경입니다(쿠버네티스 v1.32). 지금 위치는 myserver01입니다. 입력할 수 있는 것:\n  kubectl get, describe, apply -f 파일, create, expose, patch, scale, delete, exec, logs, run ...\n  curl URL, wget, nslookup, dig      이 노드에서 요청\n  host curl URL                      내 PC에서 요청(VirtualBox 포트 포워딩을 거침)\n  trace 명령                         요청이 지난 홉과 홉마다 작동한 규칙\n  sleep N                            실습 환경의 시간을 N초 흘려보내기\n  ssh myserver02                     다른 노드의 셸(exit로 돌아옴)\n  kubectl exec -it 파드 -- sh        파드 안의 셸\n  sudo iptables-save, sudo conntrack -L    kube-proxy 규칙과 커널의 연결 추적 항목\n  kubectl get -w                     Ctrl-C를 누를 때까지 변화 지켜보기\n  kubectl edit 종류 이름             살아 있는 오브젝트를 편집기에서 고치고 저장하면 적용\n  파이프, 변수, for 반복문과 grep, head, wc, sort, awk ...\n편집기의 파일은 이 폴더에 있습니다(ls, cat). 적용 버튼은 그 파일로 kubectl apply -f를 실행합니다.",
    ),
    ("progress-title", "Your progress on another computer", "다른 컴퓨터에서 이어 하기"),
    (
        "progress-about",
        "Save your lessons' progress and labs to a file, and load it where you go on (a classroom's computer, your own). Loading keeps whatever is further along, and sets aside anything it replaces.",
        "레슨 진행 상황과 실습 환경을 파일로 저장해 두었다가, 이어서 할 컴퓨터(교실 컴퓨터나 내 컴퓨터)에서 불러오세요. 불러올 때는 더 많이 진행한 쪽을 남기고, 바뀌는 것은 따로 보관합니다.",
    ),
    ("progress-save", "Save to a file", "파일로 저장"),
    ("progress-load", "Load from a file", "파일에서 불러오기"),
    (
        "progress-loaded",
        "Loaded: progress in {lessons} lesson(s), {labs} lab(s).",
        "불러왔습니다: 레슨 {lessons}개의 진행 상황, 실습 환경 {labs}개.",
    ),
    ("progress-kept", "What it replaced is kept as {keys}.", "바뀐 것은 {keys}에 보관했습니다."),
    (
        "progress-bad",
        "This is not a progress file from svclab, or it is damaged: nothing was changed.",
        "svclab 진행 상황 파일이 아니거나 손상된 파일입니다. 아무것도 바꾸지 않았습니다.",
    ),
    (
        "progress-version",
        "This progress file comes from a newer svclab than this page: nothing was changed.",
        "이 페이지보다 새로운 svclab에서 만든 파일입니다. 아무것도 바꾸지 않았습니다.",
    ),
    (
        "progress-big",
        "This file is larger than a progress file can be (3 MB): nothing was changed.",
        "진행 상황 파일로 읽기에는 너무 큰 파일입니다(3MB 초과). 아무것도 바꾸지 않았습니다.",
    ),
    (
        "progress-blocked",
        "The browser's storage refused some of it; what could not be set aside first was not replaced.",
        "브라우저 저장소가 일부를 거부했습니다. 먼저 따로 보관하지 못한 것은 바꾸지 않았습니다.",
    ),
    ("tour", "A first look at the lab", "실습 화면 둘러보기"),
    ("tour-next", "Next", "다음"),
    ("tour-skip", "Skip", "건너뛰기"),
    ("tour-done", "Start", "시작하기"),
    ("tour-1-title", "The lab", "실습 환경"),
    (
        "tour-1",
        "Three VMs on a NAT network, set up with kubeadm as in the blog post. Pods, Services and each node's kube-proxy are drawn here and change as the cluster does.",
        "블로그 글처럼 NAT 네트워크 위의 VM 세 대에 kubeadm으로 만든 클러스터입니다. 파드와 서비스, 노드마다 있는 kube-proxy가 여기에 그려지고, 클러스터가 바뀌면 그림도 바뀝니다.",
    ),
    ("tour-2-title", "Apply the YAML", "YAML 적용하기"),
    (
        "tour-2",
        "The editor holds the post's manifests. Press `kubectl apply -f deploy-test01.yml`, then do the same for `service-test01.yml`. You may edit them first.",
        "편집기에 글에 나온 매니페스트가 들어 있습니다. `kubectl apply -f deploy-test01.yml` 버튼을 누르고, `service-test01.yml`도 같은 방법으로 적용하세요. 먼저 고쳐 봐도 됩니다.",
    ),
    ("tour-3-title", "Type commands", "명령 입력하기"),
    (
        "tour-3",
        "The terminal is a shell on myserver01: try `kubectl get pod -o wide` or `curl`. `host curl http://127.0.0.1:31051` sends a request from your PC.",
        "터미널은 myserver01의 셸입니다. `kubectl get pod -o wide`나 `curl`을 입력해 보세요. 내 PC에서 보내는 요청은 `host curl http://127.0.0.1:31051`입니다.",
    ),
    ("tour-4-title", "Follow the packet", "패킷 따라가기"),
    (
        "tour-4",
        "A request is drawn hop by hop, and every address it rewrites is marked. Pause and Step go one hop at a time; the Hops tab lists the rules it met.",
        "요청은 한 홉씩 그려지고, 주소가 바뀌는 곳마다 표시됩니다. 일시정지와 한 단계 버튼으로 한 홉씩 따라가고, 경로 탭에서 패킷이 거친 규칙을 볼 수 있습니다.",
    ),
];

pub fn t(lang: Lang, key: &str) -> &'static str {
    match STRINGS.iter().find(|(k, _, _)| *k == key) {
        Some((_, en, ko)) => match lang {
            Lang::En => en,
            Lang::Ko => ko,
        },
        None => "",
    }
}

/// How the end of a word sounds when read in Korean: whether its last syllable has a final
/// consonant (받침), and whether that consonant is ㄹ. Hangul by its syllable; digits as
/// Sino-Korean numbers (0 영/십/백/천/만, 1 일, 3 삼, 6 육, 7 칠, 8 팔 end in a consonant);
/// a final capital as its letter name (`IP` 아이피, `L` 엘); other Latin words by the usual
/// reading of their ending (`web` 웹, `name` 네임, `google` 구글, `service` 서비스).
fn final_consonant(word: &str) -> (bool, bool) {
    let w = word.trim_end_matches(|c: char| !c.is_alphanumeric());
    let Some(last) = w.chars().last() else {
        return (false, false);
    };
    if ('\u{AC00}'..='\u{D7A3}').contains(&last) {
        let jong = (last as u32 - 0xAC00) % 28;
        return (jong != 0, jong == 8);
    }
    if let Some(d) = last.to_digit(10) {
        return match d {
            1 | 7 | 8 => (true, true),
            0 | 3 | 6 => (true, false),
            _ => (false, false),
        };
    }
    if last.is_ascii_uppercase() {
        return match last {
            'L' | 'R' => (true, true),
            'M' | 'N' => (true, false),
            _ => (false, false),
        };
    }
    if !last.is_ascii_alphabetic() {
        return (false, false);
    }
    let tail: String = w
        .chars()
        .rev()
        .take_while(char::is_ascii_alphabetic)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect::<String>()
        .to_ascii_lowercase();
    const WORDS: &[(&str, bool, bool)] = &[("type", true, false), ("pod", false, false), ("web", true, false)];
    if let Some((_, f, r)) = WORDS.iter().find(|(x, _, _)| *x == tail) {
        return (*f, *r);
    }
    let ends = |s: &str| tail.ends_with(s);
    if ends("l") || (ends("le") && tail.len() > 2) {
        (true, true)
    } else if ends("m") || ends("n") || ends("ng") || ends("b") || ends("p") || ends("ic") || ends("me") || ends("ne") {
        (true, false)
    } else {
        (false, false)
    }
}

/// The form of a Korean particle that follows `word`: `pair` is written with the form after a
/// final consonant first, `"이/가"`, `"을/를"`, `"은/는"`, `"과/와"`, `"으로/로"` (로 also
/// after ㄹ), `"이다/다"`, `"이에요/예요"`. An unknown pair comes back whole.
pub fn particle(word: &str, pair: &'static str) -> &'static str {
    let Some((with, without)) = pair.split_once('/') else {
        return pair;
    };
    let (has_final, rieul) = final_consonant(word);
    if pair == "으로/로" && rieul {
        return without;
    }
    if has_final {
        with
    } else {
        without
    }
}

/// `word` followed by the right form of the particle: `josa("서비스", "이/가")` is `서비스가`.
pub fn josa(word: &str, pair: &'static str) -> String {
    format!("{word}{}", particle(word, pair))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn particles_follow_how_the_word_is_read() {
        let cases = [
            ("서비스", "이/가", "가"),
            ("파드", "을/를", "를"),
            ("엔드포인트", "은/는", "는"),
            ("디플로이먼트", "이/가", "가"),
            ("`web-service`", "이/가", "가"),
            ("`web`", "을/를", "을"),
            ("`nginx01`", "이/가", "이"),
            ("`myserver02`", "이/가", "가"),
            ("`myserver03`", "이/가", "이"),
            ("`hello`", "은/는", "는"),
            ("`31001`", "으로/로", "로"),
            ("`80`", "으로/로", "으로"),
            ("`404`", "을/를", "를"),
            ("`ClusterIP`", "으로/로", "로"),
            ("`spec.externalName`", "이/가", "이"),
            ("`spec.type`", "이/가", "이"),
            ("`Local`", "으로/로", "로"),
            ("`www.google.com`", "으로/로", "으로"),
            ("`http://127.0.0.1:31051`", "으로/로", "로"),
            ("`kubectl get pods -o wide`", "을/를", "를"),
            ("`kubectl get endpoints`", "을/를", "를"),
            ("`None`", "이다/다", "이다"),
            ("길", "으로/로", "로"),
            ("집", "으로/로", "으로"),
        ];
        for (word, pair, want) in cases {
            assert_eq!(particle(word, pair), want, "{word} + {pair}");
        }
        assert_eq!(josa("노드", "과/와"), "노드와");
    }

    #[test]
    fn every_string_exists_in_both_languages() {
        for (k, en, ko) in STRINGS {
            assert!(!en.is_empty() && !ko.is_empty(), "{k}");
        }
        let mut keys: Vec<&str> = STRINGS.iter().map(|(k, _, _)| *k).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), STRINGS.len(), "duplicate keys");
    }
}
